"""``python -m ntro``: the ``ntro`` command line, for environments whose ``bin/`` is not on PATH."""

from ntro.cli import main

if __name__ == "__main__":
    main()
