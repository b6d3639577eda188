"""Where files are kept: uploaded files (employee photos) and the static files."""

from __future__ import annotations

from kluis.settings_env import BASE_DIR, DATA_DIR, ENV, PRODUCTION  # noqa: F401

# --- Uploaded files (employee photos): never served directly, only through views that
# check permissions; documents (a later issue) are encrypted at rest. -----------------
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
