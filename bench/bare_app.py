"""The framework's floor: a bare FastAPI app in its own uvicorn process, for same-run baselines.

    python -m uvicorn bare_app:app --app-dir bench --port PORT
    BARE_DATABASE_URL=sqlite:///rows.db python -m uvicorn bare_app:app --app-dir bench --port PORT

With BARE_DATABASE_URL (tables made first by `create_rows`), two more routes read three rows through SQLAlchemy
Core and nothing else (no authentication, no ORM, no response model): the least any route that reads the database
can cost in this framework, with the driver the service uses and with an async one.
"""

import os
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, select
from sqlalchemy.ext.asyncio import create_async_engine

_metadata = MetaData()
_rows = Table("bare_rows", _metadata, Column("id", Integer, primary_key=True),
              Column("account_id", Integer, index=True), Column("name", String(64)))
_three_rows = select(_rows.c.id, _rows.c.name).where(_rows.c.account_id == 1)


def async_url(url: str) -> str:
    """The same database through an asyncio driver: aiosqlite, asyncpg."""
    scheme, rest = url.split("://", 1)
    return ("sqlite+aiosqlite" if scheme.startswith("sqlite") else "postgresql+asyncpg") + "://" + rest


def create_rows(url: str) -> None:
    """Three rows of account 1 among others', as the authenticated read finds its account's three sessions."""
    engine = create_engine(url)
    with engine.begin() as connection:
        _metadata.drop_all(connection)
        _metadata.create_all(connection)
        connection.execute(_rows.insert(), [{"account_id": account, "name": f"Shop {number}"}
                                            for account in (1, 2, 3) for number in range(3)])
    engine.dispose()


@asynccontextmanager
async def _engines(app: FastAPI):
    """The read routes' engines, made when the server starts (importing this module makes none)."""
    if database_url := os.environ.get("BARE_DATABASE_URL"):
        app.state.engine = create_engine(database_url, pool_size=20)
        app.state.async_engine = create_async_engine(async_url(database_url), pool_size=20)
    yield
    if database_url:
        app.state.engine.dispose()
        await app.state.async_engine.dispose()


app = FastAPI(lifespan=_engines)


@app.post("/echo")
def echo(body: dict) -> dict:
    """A sync route with a JSON body, as our endpoints are: parse, answer, nothing else."""
    return {"stored": True, "message": {"id": str(len(body))}}


@app.get("/bare")
async def bare() -> list:
    """An async route returning []: the most a FastAPI process can answer (bench/api_throughput.py)."""
    return []


@app.get("/read")
def read(request: Request) -> list:
    """Sync, as the service's endpoints are: the read runs in the thread pool."""
    with request.app.state.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(_three_rows)]


@app.get("/read-async")
async def read_async(request: Request) -> list:
    """Async throughout, with an asyncio driver: no thread pool."""
    async with request.app.state.async_engine.connect() as connection:
        return [dict(row._mapping) for row in await connection.execute(_three_rows)]
