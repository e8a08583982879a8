#!/usr/bin/env python
"""`python manage.py <command>` runs the same commands as `tutorhub <command>`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from entrypoints.cli import cli  # noqa: E402

if __name__ == "__main__":
    cli(prog_name="manage.py")
