/** Runners shared by the executed Python snippet tests. */

/** Django (Debian's python3-django) with the generated backend and DATABASES, as a settings module would load them. */
export const DJANGO_RUNNER = `import json
import os
import time

import django
from django.conf import settings

namespace = {}
exec(open("settings_database.py").read(), namespace)
settings.configure(DATABASES=namespace["DATABASES"], INSTALLED_APPS=[], USE_TZ=True)
django.setup()

from django.db import connections  # noqa: E402


def who(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT CURRENT_USER")
        return cursor.fetchone()[0]


first = connections["default"]
a = who(first)
time.sleep(int(os.environ["WAIT_MS"]) / 1000)
# A second connection while the first stays open, made after the first token expired.
second = connections.create_connection("default")
b = who(second)
first.close()
second.close()
print(json.dumps({"first": a, "second": b}))
`;
