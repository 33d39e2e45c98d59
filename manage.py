#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    # A management command is an operator's tool: it works across tenants, through the one
    # explicit escape hatch of row-level security (tenants.rls). A request served by
    # `runserver` starts acting for no tenant all the same (tenants.rls.TenantContextMiddleware).
    from tenants.rls import all_tenants

    with all_tenants():
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
