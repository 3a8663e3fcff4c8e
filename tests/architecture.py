"""An import-linter contract of our own: an app reaches another app only through its public modules.

DESIGN.md §3: "Apps talk through each other's services and selectors, never by writing another app's
tables." A module of app A may import from app B (B ≠ A, neither ``core``) only B's public modules —
``services``, ``selectors``, ``models`` (types and relations), ``choices``, ``rules``,
``permissions``, ``errors`` (and ``roles`` of accounts) — at any depth of B's sub-packages
(``gongzhi.funds.ledger.services``). Never B's views, API, schemas, tasks, URLs, admin or private
helpers. Composition code — the demo app, each app's demo builder and bench plug-in — is exempt: it
wires apps together on purpose.

Configured in pyproject.toml (``[tool.importlinter]``); run by ``lint-imports`` in ``make test``.
"""

from __future__ import annotations

import fnmatch

from importlinter import Contract, ContractCheck, fields, output


class CrossAppContract(Contract):
    """See the module docstring."""

    type_name = "cross_app"

    apps_package = fields.StringField()
    public = fields.ListField(subfield=fields.StringField())
    shared = fields.ListField(subfield=fields.StringField())
    exempt = fields.ListField(subfield=fields.StringField())

    def _app(self, module: str) -> str | None:
        parts = module.split(".")
        root = str(self.apps_package)
        if parts[0] != root or len(parts) < 2:
            return None
        return parts[1]

    def _exempt(self, module: str) -> bool:
        return any(fnmatch.fnmatchcase(module, pattern) or module.startswith(pattern + ".") for pattern in self.exempt)

    def _public(self, module: str) -> bool:
        parts = module.split(".")[2:]  # below gongzhi.<app>
        if not parts:
            return True  # the app package itself
        public = set(self.public)
        return parts[-1] in public or any(p in public for p in parts)

    def check(self, graph, verbose: bool) -> ContractCheck:  # noqa: ANN001
        shared = set(self.shared)
        broken: list[tuple[str, str, int | None]] = []
        root = str(self.apps_package)
        for importer in sorted(m for m in graph.modules if m.startswith(root + ".")):
            app = self._app(importer)
            if app is None or app in shared or self._exempt(importer):
                continue
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                other = self._app(imported)
                if other is None or other == app or other in shared:
                    continue
                if self._public(imported):
                    continue
                details = graph.get_import_details(importer=importer, imported=imported)
                line = details[0]["line_number"] if details else None
                broken.append((importer, imported, line))
        return ContractCheck(kept=not broken, metadata={"broken": broken})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for importer, imported, line in check.metadata["broken"]:
            where = f" (l.{line})" if line else ""
            output.print_error(f"{importer} imports {imported}{where}: not a public module of that app")
        output.new_line()
