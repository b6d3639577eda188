"""The WSGI application granian serves (`kluis serve`, `kluis up`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kluis.settings")
django_application = get_wsgi_application()

from kluis.operations.banner import NoServerBanner  # noqa: E402 (needs Django set up)
from kluis.operations.head import HeadWithoutBody  # noqa: E402

# A HEAD's answer leaves without its body (see operations/head.py), and no answer names
# the web server (operations/banner.py).
application = NoServerBanner(HeadWithoutBody(django_application))

# Everything loaded at start-up (Django, the URL conf, the apps) lives as long as the
# process: move it out of the cyclic garbage collector's view, so a full collection does
# not walk it in the middle of a request (long pauses at the tail of the latency).
gc.collect()
gc.freeze()
