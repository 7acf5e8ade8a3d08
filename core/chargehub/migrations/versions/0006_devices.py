"""devices: online records, live gun data, pile transaction records

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24

"""
from alembic import op
import sqlalchemy as sa

import chargehub.db
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('device_online_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('property_id', sa.Integer(), nullable=True),
    sa.Column('car_station_id', sa.Integer(), nullable=True),
    sa.Column('bike_station_id', sa.Integer(), nullable=True),
    sa.Column('device_kind', sa.Enum('pile', 'bike_device', 'camera', name='devicekind', native_enum=False, length=20), nullable=False),
    sa.Column('device_ref', sa.Integer(), nullable=True),
    sa.Column('device_name', sa.String(length=100), nullable=False),
    sa.Column('device_code', sa.String(length=20), nullable=False),
    sa.Column('factory_id', sa.String(length=64), nullable=False),
    sa.Column('protocol', sa.String(length=50), nullable=False),
    sa.Column('state', sa.Enum('online', 'offline', 'refused', name='connectionstate', native_enum=False, length=20), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('peer', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('occurred_at', chargehub.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['bike_station_id'], ['bike_station.id'], name=op.f('fk_device_online_record_bike_station_id_bike_station'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['car_station_id'], ['car_station.id'], name=op.f('fk_device_online_record_car_station_id_car_station'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], name=op.f('fk_device_online_record_property_id_property'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['service_provider.id'], name=op.f('fk_device_online_record_provider_id_service_provider'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_device_online_record'))
    )
    with op.batch_alter_table('device_online_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_device_online_record_factory_id'), ['factory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_online_record_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_device_online_record_provider_id'), ['provider_id'], unique=False)

    op.create_table('gun_live',
    sa.Column('gun_id', sa.Integer(), nullable=False),
    sa.Column('pile_id', sa.Integer(), nullable=False),
    sa.Column('trade_no', sa.String(length=32), nullable=True),
    sa.Column('plugged', sa.Boolean(), nullable=True),
    sa.Column('homed', sa.Boolean(), nullable=True),
    sa.Column('voltage_v', sa.Numeric(precision=8, scale=1), nullable=False),
    sa.Column('current_a', sa.Numeric(precision=8, scale=1), nullable=False),
    sa.Column('power_kw', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('soc', sa.Integer(), nullable=True),
    sa.Column('energy_kwh', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('charging_minutes', sa.Integer(), nullable=False),
    sa.Column('remaining_minutes', sa.Integer(), nullable=False),
    sa.Column('cable_temp_c', sa.Integer(), nullable=True),
    sa.Column('battery_max_temp_c', sa.Integer(), nullable=True),
    sa.Column('fault_bits', sa.Integer(), nullable=False),
    sa.Column('faults', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('bms', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('lock', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_start', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('last_stop', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_at', chargehub.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['gun_id'], ['gun.id'], name=op.f('fk_gun_live_gun_id_gun'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pile_id'], ['pile.id'], name=op.f('fk_gun_live_pile_id_pile'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('gun_id', name=op.f('pk_gun_live'))
    )
    with op.batch_alter_table('gun_live', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gun_live_pile_id'), ['pile_id'], unique=False)

    op.create_table('pile_transaction_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('property_id', sa.Integer(), nullable=False),
    sa.Column('station_id', sa.Integer(), nullable=False),
    sa.Column('pile_id', sa.Integer(), nullable=False),
    sa.Column('gun_id', sa.Integer(), nullable=True),
    sa.Column('gun_number', sa.Integer(), nullable=False),
    sa.Column('trade_no', sa.String(length=32), nullable=False),
    sa.Column('started_at', chargehub.db.UTCDateTime(), nullable=True),
    sa.Column('ended_at', chargehub.db.UTCDateTime(), nullable=True),
    sa.Column('traded_at', chargehub.db.UTCDateTime(), nullable=True),
    sa.Column('energy_kwh', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('periods', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('meter_start_kwh', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('meter_end_kwh', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('vin', sa.String(length=17), nullable=False),
    sa.Column('trade_flag', sa.String(length=20), nullable=False),
    sa.Column('stop_reason_code', sa.Integer(), nullable=True),
    sa.Column('stop_reason', sa.String(length=200), nullable=False),
    sa.Column('card', sa.String(length=32), nullable=False),
    sa.Column('review_state', sa.Enum('pending', 'matched', name='reviewstate', native_enum=False, length=20), nullable=False),
    sa.Column('duplicates', sa.Integer(), nullable=False),
    sa.Column('frame', sa.Text(), nullable=False),
    sa.Column('received_at', chargehub.db.UTCDateTime(), nullable=False),
    sa.Column('last_received_at', chargehub.db.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['gun_id'], ['gun.id'], name=op.f('fk_pile_transaction_record_gun_id_gun'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pile_id'], ['pile.id'], name=op.f('fk_pile_transaction_record_pile_id_pile'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['property_id'], ['property.id'], name=op.f('fk_pile_transaction_record_property_id_property'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['provider_id'], ['service_provider.id'], name=op.f('fk_pile_transaction_record_provider_id_service_provider'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['station_id'], ['car_station.id'], name=op.f('fk_pile_transaction_record_station_id_car_station'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pile_transaction_record')),
    sa.UniqueConstraint('trade_no', name=op.f('uq_pile_transaction_record_trade_no'))
    )
    with op.batch_alter_table('pile_transaction_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pile_transaction_record_pile_id'), ['pile_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pile_transaction_record_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pile_transaction_record_station_id'), ['station_id'], unique=False)

    with op.batch_alter_table('parking_space', schema=None) as batch_op:
        batch_op.add_column(sa.Column('gun_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_parking_space_gun_id_gun'), 'gun', ['gun_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('pile', schema=None) as batch_op:
        batch_op.add_column(sa.Column('online_changed_at', chargehub.db.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('firmware', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('billing_model_code', sa.String(length=8), nullable=False, server_default=''))



def downgrade():
    with op.batch_alter_table('pile', schema=None) as batch_op:
        batch_op.drop_column('billing_model_code')
        batch_op.drop_column('firmware')
        batch_op.drop_column('online_changed_at')

    with op.batch_alter_table('parking_space', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_parking_space_gun_id_gun'), type_='foreignkey')
        batch_op.drop_column('gun_id')

    with op.batch_alter_table('pile_transaction_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pile_transaction_record_station_id'))
        batch_op.drop_index(batch_op.f('ix_pile_transaction_record_provider_id'))
        batch_op.drop_index(batch_op.f('ix_pile_transaction_record_pile_id'))

    op.drop_table('pile_transaction_record')
    with op.batch_alter_table('gun_live', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gun_live_pile_id'))

    op.drop_table('gun_live')
    with op.batch_alter_table('device_online_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_device_online_record_provider_id'))
        batch_op.drop_index(batch_op.f('ix_device_online_record_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_device_online_record_factory_id'))

    op.drop_table('device_online_record')
