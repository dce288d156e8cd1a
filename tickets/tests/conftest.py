import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from .factories import StaffFactory, UserFactory


@pytest.fixture
def staff_agent(db):
    return StaffFactory(first_name="Alex", last_name="Agent")


@pytest.fixture
def non_staff_user(db):
    return UserFactory()


@pytest.fixture
def anonymous_client():
    return APIClient()


@pytest.fixture
def staff_client(staff_agent):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(staff_agent).access_token}")
    return client


@pytest.fixture
def non_staff_client(non_staff_user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {RefreshToken.for_user(non_staff_user).access_token}")
    return client
