"""Background jobs of the registry."""

from huey.contrib.djhuey import db_task

from gongzhi.registry.roster import services as roster_services
from gongzhi.registry.roster.models import RosterImport


@db_task()
def roster_import_task(roster_import_id: int) -> str:
    """Check and import a large roster file (台账导入) queued by the upload page.

    Fetches the import by id and runs the service, which claims it only while it is still queued,
    so a job delivered twice does the work once. Returns the final status.
    """
    roster_import = RosterImport.objects.select_related("estate", "created_by").filter(pk=roster_import_id).first()
    if roster_import is None:
        return "missing"
    done = roster_services.roster_import_run(roster_import=roster_import, actor=roster_import.created_by)
    return done.status
