"""PostgreSQL only: no two live reservations of one platform or pad may overlap in time.

SQLite has no exclusion constraints; there the scheduling service checks inside an IMMEDIATE
transaction, which serialises writers.
"""

from django.db import migrations


def create_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    for column in ("platform_id", "pad_id"):
        name = f"reservation_no_overlap_{column.removesuffix('_id')}"
        schema_editor.execute(
            f"ALTER TABLE booking_reservation ADD CONSTRAINT {name} EXCLUDE USING gist "
            f"({column} WITH =, tstzrange(occupied_from, occupied_until, '[)') WITH &&) "
            f"WHERE (released_at IS NULL AND {column} IS NOT NULL)"
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in ("platform", "pad"):
        schema_editor.execute(f"ALTER TABLE booking_reservation DROP CONSTRAINT IF EXISTS reservation_no_overlap_{column}")


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_reservation")]

    operations = [migrations.RunPython(create_constraints, drop_constraints)]
