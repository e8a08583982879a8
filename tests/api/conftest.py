"""Fixtures shared by the API tests: a tutor and a student, logged in (their Authorization headers)."""

import pytest


@pytest.fixture
def tutor(auth_headers) -> dict[str, str]:
    return auth_headers("tara@example.com", role="tutor", full_name="Tara")


@pytest.fixture
def student(auth_headers) -> dict[str, str]:
    return auth_headers("sam@example.com", role="student", full_name="Sam")
