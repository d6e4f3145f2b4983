"""The case's own searchable names: the customer's and the reporter's, upper-cased, in one column
(``Case.search_name``), kept by the database. A console name search then reads the list in its
own order, testing each case's column, or looks the fragment up in a trigram index of the
column (migration 0021), instead of first reading every matching customer (10-15 ms at 1M
customers) and sending their ids back (bench/RESULTS.md, "fourth pass").

The triggers cover every way a case or a customer is written (services, admin, bulk loads,
COPY): a case's names are set on insert and whenever its customer, its reporter's name or the
column itself is written; a customer's new name is written to their cases. The column comes
with a larger statistics sample for the planner's estimate of how many cases a fragment
matches, as the customer's name has (0018); 0022 enlarges it again. Filled for existing cases
by 0020.
"""

from django.db import migrations, models

CASE_TRIGGER = r"""
CREATE FUNCTION complaints_case_search_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.search_name := upper(concat_ws(E'\n',
        (SELECT name FROM complaints_customer WHERE id = NEW.customer_id),
        nullif(NEW.reporter_name, '')));
    RETURN NEW;
END
$$;
CREATE TRIGGER case_search_name
    BEFORE INSERT OR UPDATE OF customer_id, reporter_name, search_name ON complaints_case
    FOR EACH ROW EXECUTE FUNCTION complaints_case_search_name();

CREATE FUNCTION complaints_customer_search_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Writing the column fires case_search_name, which reads the new name.
    UPDATE complaints_case SET search_name = '' WHERE customer_id = NEW.id;
    RETURN NULL;
END
$$;
CREATE TRIGGER customer_search_name
    AFTER UPDATE OF name ON complaints_customer
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION complaints_customer_search_name();

-- Also in sessions that skip ordinary triggers (session_replication_role = replica: the bench
-- loader's COPY, a logical-replication apply): the column is never written by anyone else.
ALTER TABLE complaints_case ENABLE ALWAYS TRIGGER case_search_name;
ALTER TABLE complaints_customer ENABLE ALWAYS TRIGGER customer_search_name;

ALTER TABLE complaints_case ALTER COLUMN search_name SET STATISTICS 1000;
"""

DROP_TRIGGERS = """
DROP TRIGGER customer_search_name ON complaints_customer;
DROP FUNCTION complaints_customer_search_name();
DROP TRIGGER case_search_name ON complaints_case;
DROP FUNCTION complaints_case_search_name();
"""


class Migration(migrations.Migration):
    dependencies = [("complaints", "0018_customer_name_statistics")]

    operations = [
        migrations.AddField(
            model_name="case",
            name="search_name",
            field=models.TextField(db_default="", editable=False),
        ),
        migrations.RunSQL(CASE_TRIGGER, DROP_TRIGGERS),
    ]
