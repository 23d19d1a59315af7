"""The framework's floor: a bare FastAPI app in its own uvicorn process, for same-run baselines.

    python -m uvicorn bare_app:app --app-dir bench --port PORT
"""

from fastapi import FastAPI

app = FastAPI()


@app.post("/echo")
def echo(body: dict) -> dict:
    """A sync route with a JSON body, as our endpoints are: parse, answer, nothing else."""
    return {"stored": True, "message": {"id": str(len(body))}}


@app.get("/bare")
async def bare() -> list:
    """An async route returning []: the most a FastAPI process can answer (bench/api_throughput.py)."""
    return []
