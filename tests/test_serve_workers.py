"""`replybase serve --workers N`: N API processes on one port, sharing rate limits through Redis."""

import os
import subprocess
from pathlib import Path

import pytest

from tests.processes import API, REPLYBASE, Deployment, create_sandbox_session

REDIS_URL = os.environ.get("REPLYBASE_TEST_REDIS_URL", "")


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def test_more_than_one_process_without_redis_is_refused_with_what_to_do(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("REPLYBASE_")}
    env |= {"REPLYBASE_DATA_DIR": str(tmp_path), "REPLYBASE_REDIS_URL": "",
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    result = subprocess.run([*REPLYBASE, "serve", "--port", "1", "--workers", "2"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "REPLYBASE_REDIS_URL" in result.stderr


@pytest.mark.skipif(not REDIS_URL, reason="set REPLYBASE_TEST_REDIS_URL (make test does)")
def test_two_processes_serve_one_port_on_the_embedded_database(tmp_path):
    with Deployment(tmp_path, database_url="", redis_url=REDIS_URL,
                    env={"REPLYBASE_EMBEDDING_PROVIDER": "hash"}) as deployment:
        api = deployment.start_api("api", run_workers=True, serve_args=("--workers", "2"))
        assert len(_children(api.pid)) >= 2  # uvicorn's supervisor and its two server processes
        account = deployment.create_account(plan="business")
        with api.client() as client:
            session_id = create_sandbox_session(client, account, "Two processes")
            for i in range(20):
                response = client.post(f"{API}/sandbox/inbound", headers=account.headers, json={
                    "session_id": session_id, "phone": f"4477009{i:05d}", "message": "hello"})
                assert response.status_code == 200, response.text
            chats = client.get(f"{API}/messages/chats", headers=account.headers, params={"session_id": session_id})
            assert chats.json()["total"] == 20
