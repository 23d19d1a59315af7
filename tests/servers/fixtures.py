"""Fixtures that start the gateway fakes on 127.0.0.1 and point the settings at them."""

import pytest

from tests.servers.media import FakeMediaHost
from tests.servers.meta import FakeMetaGraph
from tests.servers.waha import FakeWaha

WAHA_WEBHOOK_SECRET = "waha-hmac-secret"
META_APP_SECRET = "meta-app-secret"
META_VERIFY_TOKEN = "meta-verify-token"


@pytest.fixture
def fake_waha(settings):
    server = FakeWaha().start()
    settings.waha_url, settings.waha_api_key = server.url, server.api_key
    settings.waha_webhook_secret = WAHA_WEBHOOK_SECRET
    yield server
    server.stop()


@pytest.fixture
def fake_meta(settings):
    server = FakeMetaGraph().start()
    settings.meta_graph_url = server.graph_url
    settings.meta_app_secret, settings.meta_verify_token = META_APP_SECRET, META_VERIFY_TOKEN
    yield server
    server.stop()


@pytest.fixture
def media_host():
    server = FakeMediaHost().start()
    yield server
    server.stop()

