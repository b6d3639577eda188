"""How the UI shows what it shows: one date format per language and one look for every
form field (read by name from kluis/settings.py)."""

FORMAT_MODULE_PATH = ["kluis.formats"]  # one date format per language (kluis/formats/)
FORM_RENDERER = "kluis.web.form_renderer.KluisFormRenderer"  # one look for every field
