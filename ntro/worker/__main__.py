"""``python -m ntro.worker DIR [DIR ...]``: the same as ``ntro worker DIR [DIR ...]``."""

import sys

from ntro.cli import main

if __name__ == "__main__":
    main(["worker", *sys.argv[1:]])
