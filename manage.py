#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fractionax_support.settings")
    # Commands run by hand are a development setting unless told otherwise; production
    # sets DEBUG=false (the Dockerfile does), and the server entry points default to off.
    os.environ.setdefault("DEBUG", "true")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
