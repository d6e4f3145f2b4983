from django.db import migrations

# Incident history and storm-mode switches are evidence like the case timeline (who said the
# power would be back when; who turned storm mode on and why): the database refuses to rewrite
# or delete them. The one column that may change is the bookkeeping of an incident change's
# fan-out (``fanout_done_at``), which the sweep sets once every linked case has been told.
FORWARD = """
CREATE FUNCTION complaints_incident_history_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'complaints_incidentevent'
       AND (to_jsonb(NEW) - 'fanout_done_at') = (to_jsonb(OLD) - 'fanout_done_at') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER complaints_incidentevent_append_only
    BEFORE UPDATE OR DELETE ON complaints_incidentevent
    FOR EACH ROW EXECUTE FUNCTION complaints_incident_history_append_only();

CREATE TRIGGER complaints_stormswitch_append_only
    BEFORE UPDATE OR DELETE ON complaints_stormswitch
    FOR EACH ROW EXECUTE FUNCTION complaints_incident_history_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS complaints_stormswitch_append_only ON complaints_stormswitch;
DROP TRIGGER IF EXISTS complaints_incidentevent_append_only ON complaints_incidentevent;
DROP FUNCTION IF EXISTS complaints_incident_history_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("complaints", "0008_incidents_planned_outages_storm_tmp")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
