#!/usr/bin/env python
"""Django's management entry point; day-to-day use goes through the `kluis` command."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kluis.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
