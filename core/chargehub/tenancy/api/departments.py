"""部门管理 API (manual 3.7.5): the department tree of the caller's scope, add, change, delete.

Department ids in the URL are checked against the caller's scope before the view runs (404).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from chargehub.tenancy.api.org_schemas import (
    DepartmentPayload,
    DepartmentSchema,
    DepartmentTreeArgs,
    DepartmentTreeSchema,
)
from chargehub.tenancy.auth import require
from chargehub.tenancy.org_models import Department
from chargehub.tenancy.scope import get_or_404
from chargehub.tenancy.services import org

blp = Blueprint("departments", __name__, url_prefix="/api/v1/admin/departments",
                description="部门管理: department trees of service providers and properties")
SECURITY = [{"bearer": []}]


def _live_or_404(department_id: int) -> Department:
    dept = get_or_404(Department, department_id)
    if dept.deleted_at is not None:
        abort(404, message="部门不存在或已删除 (department not found)")
    return dept


@blp.route("")
class Departments(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(DepartmentTreeArgs, location="query")
    @blp.response(200, DepartmentTreeSchema)
    @require("system.department:list")
    def get(self, args):
        """The visible departments as trees; a search keeps each match's ancestors."""
        return {"items": org.department_tree(args)}

    @blp.doc(security=SECURITY)
    @blp.arguments(DepartmentPayload)
    @blp.response(201, DepartmentSchema)
    @require("system.department:add")
    def post(self, data):
        """Add a department under ``parent_id`` (an enabled department of the caller's scope)."""
        return org.department_node(org.create_department(data))


@blp.route("/<int:department_id>")
class DepartmentItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, DepartmentSchema)
    @require("system.department:list")
    def get(self, department_id):
        """One department with its sub-departments."""
        return org.department_node(_live_or_404(department_id))

    @blp.doc(security=SECURITY)
    @blp.arguments(DepartmentPayload)
    @blp.response(200, DepartmentSchema)
    @require("system.department:edit")
    def put(self, data, department_id):
        """Change name, order, leader, phone, email, state; a new ``parent_id`` moves the subtree."""
        return org.department_node(org.update_department(_live_or_404(department_id), data))

    @blp.doc(security=SECURITY)
    @blp.response(204)
    @require("system.department:delete")
    def delete(self, department_id):
        """Delete a department without sub-departments, posts or users (not a top department)."""
        org.delete_department(_live_or_404(department_id))
