"""Admin API cost on PostgreSQL: scoped list pages, isolation checks and sign-in.

Seeds 20 service providers with 500 users each (10,000 users), then measures through the real Flask
app (test client, no network): a provider owner's user list page (scope + search + count + page),
the same for a platform administrator, a foreign-id request answered 404 by the URL preprocessor,
and a token sign-in (Argon2id verify, throttle check, audit entry).

    .venv/bin/python bench/admin_api.py [--database postgresql://postgres@127.0.0.1:5432/postgres] [--calls 300]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import percentiles, write_result  # noqa: E402


def timed(fn, calls: int) -> dict:
    samples = []
    for i in range(calls):
        t0 = time.perf_counter()
        fn(i)
        samples.append((time.perf_counter() - t0) * 1000)
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--providers", type=int, default=20)
    parser.add_argument("--users", type=int, default=500)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from chargehub.app import create_app
    from chargehub.extensions import MIGRATIONS_DIR, db
    from chargehub.tenancy.auth import issue_token
    from chargehub.tenancy.models import AuditState, ServiceProvider, User, UserType
    from chargehub.tenancy.passwords import hash_password
    from chargehub.testing.database import temporary_database

    with tempfile.TemporaryDirectory() as tmp, temporary_database(args.database, Path(tmp)) as url:
        app = create_app({"DATABASE_URL": url, "INSTANCE_PATH": tmp, "PLUGIN_AUTOLOAD": False, "LOG_LEVEL": "WARNING"})
        with app.app_context():
            upgrade(directory=MIGRATIONS_DIR)
            password_hash = hash_password("bench-password-1")
            admin = User(phone="13800000000", name="admin", password_hash=password_hash, user_type=UserType.SYSTEM,
                         is_owner=True)
            db.session.add(admin)
            owners = []
            for p in range(args.providers):
                provider = ServiceProvider(name=f"P{p}", phone=f"1370{p:07d}", audit_state=AuditState.APPROVED)
                db.session.add(provider)
                db.session.flush()
                owners.append(User(phone=f"1371{p:07d}", name=f"owner{p}", password_hash=password_hash,
                                   user_type=UserType.PROVIDER, provider_id=provider.id, is_owner=True))
                db.session.add(owners[-1])
                db.session.add_all(User(phone=f"135{p:03d}{u:05d}", name=f"员工{u}", password_hash=password_hash,
                                        user_type=UserType.PROVIDER, provider_id=provider.id)
                                   for u in range(args.users))
            db.session.commit()
            owner_h = {"Authorization": f"Bearer {issue_token(owners[0], 'bench')}"}
            admin_h = {"Authorization": f"Bearer {issue_token(admin, 'bench')}"}
            foreign_user = db.session.execute(db.select(User.id).where(User.provider_id == owners[1].provider_id)).scalars().first()
            db.session.remove()
        client = app.test_client()

        def provider_list(i):
            r = client.get("/api/v1/admin/users", headers=owner_h, query_string={"page": 1 + i % 20, "name": "员工"})
            assert r.status_code == 200 and r.json["total"] == args.users

        def admin_list(i):
            r = client.get("/api/v1/admin/users", headers=admin_h, query_string={"page": 1 + i % 20, "sort": "phone"})
            assert r.status_code == 200

        def foreign(i):
            assert client.put(f"/api/v1/admin/users/{foreign_user}", headers=owner_h, json={"name": "x"}).status_code == 404

        def sign_in(i):
            r = client.post("/api/v1/auth/tokens", json={"phone": "13800000000", "password": "bench-password-1"},
                            environ_base={"REMOTE_ADDR": f"10.1.{i // 250}.{i % 250}"})
            assert r.status_code == 201

        result = {
            "params": {"database": "postgresql" if args.database.startswith("postgres") else args.database,
                       "calls": args.calls, "providers": args.providers, "users_per_provider": args.users},
            "provider_user_list_page": timed(provider_list, args.calls),
            "admin_user_list_page": timed(admin_list, args.calls),
            "foreign_id_404": timed(foreign, args.calls),
            "token_sign_in": timed(sign_in, min(args.calls, 100)),
        }
        with app.app_context():
            db.engine.dispose()
    write_result("admin_api", result)


if __name__ == "__main__":
    main()
