"""``python -m ntro.cli``: the same as the ``ntro`` command."""

from ntro.cli import main

if __name__ == "__main__":
    main()
