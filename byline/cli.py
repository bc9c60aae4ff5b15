"""The `byline` console command: Django's management commands with Byline's settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "byline.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["byline", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
