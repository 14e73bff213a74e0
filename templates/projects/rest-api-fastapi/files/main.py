"""{{project_name}}: {{project_description}}"""
import os

from fastapi import FastAPI

DATABASE_URL = os.environ.get("DATABASE_URL", "postgresql://localhost:5432/{{db_name}}")

app = FastAPI(title="{{project_name}}")


@app.get("/health")
def health() -> dict:
    """Liveness check for load balancers."""
    return {"status": "ok"}
