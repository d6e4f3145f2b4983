import pytest
from django.conf import global_settings


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Overrides the root fixture of the same name: MD5 first for speed, and the default
    hashers still listed so that password hashes made outside the test's settings (the demo
    logins) still verify."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *global_settings.PASSWORD_HASHERS,
    ]
