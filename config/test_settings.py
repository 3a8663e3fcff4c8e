"""Test settings: the base settings with fast hashing and immediate background jobs."""

from config.settings import *  # noqa: F403
from config.settings import HUEY

# Argon2 is the production hasher (tested in tests/accounts); tests hash thousands of passwords.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {**HUEY, "huey_class": "huey.MemoryHuey", "immediate": True}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
