"""Settings: one class, read from the environment with the TANDEM_ prefix."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Tandem's configuration. Every field can be set as TANDEM_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="TANDEM_", env_file=".env", extra="ignore")

    var_dir: Path = Path("var")
    database_url: str = ""
    secret_key: str = ""
    host: str = "127.0.0.1"
    port: int = 8000
    scheduler: bool = True
    # threads per server process for sync routes, and as many again for claim and submit;
    # more than a few per core only take turns holding the GIL (docs/dispatch.md)
    worker_threads: int = 4
    # with --workers N, how long a worker may leave uvicorn's health ping unanswered before
    # it is killed: uvicorn's own 5 s killed busy workers mid-request on a loaded 2-core
    # machine (docs/dispatch.md); a worker hung this long is really hung
    worker_healthcheck_seconds: int = 30
    # FastAPI's OpenTelemetry spans, metrics and logs, for a server whose OpenTelemetry SDK
    # is set up. Off by default: on (FastAPI's own default), it looks for configured
    # providers at every request, through three failed lookups in the environment
    # (docs/dispatch.md)
    telemetry: bool = False

    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file under var_dir."""
        if self.database_url:
            return self.database_url
        self.var_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.var_dir / 'tandem.db').resolve()}"

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated on first run and kept in var_dir."""
        if self.secret_key:
            return self.secret_key
        path = self.var_dir / "secret_key"
        if not path.exists():
            self.var_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        self.secret_key = path.read_text().strip()
        return self.secret_key


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
