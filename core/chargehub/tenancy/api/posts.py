"""岗位管理 API (manual 3.7.6): posts of the caller's departments, searched and paged.

Post ids in the URL are checked against the caller's scope before the view runs (404).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from chargehub.tenancy.api.org_schemas import PostListArgs, PostPageSchema, PostPayload, PostSchema
from chargehub.tenancy.auth import require
from chargehub.tenancy.org_models import Post
from chargehub.tenancy.scope import get_or_404
from chargehub.tenancy.services import org

blp = Blueprint("posts", __name__, url_prefix="/api/v1/admin/posts", description="岗位管理: posts within departments")
SECURITY = [{"bearer": []}]


def _live_or_404(post_id: int) -> Post:
    post = get_or_404(Post, post_id)
    if post.deleted_at is not None:
        abort(404, message="岗位不存在或已删除 (post not found)")
    return post


@blp.route("")
class Posts(MethodView):
    @blp.doc(security=SECURITY)
    @blp.arguments(PostListArgs, location="query")
    @blp.response(200, PostPageSchema)
    @require("system.post:list")
    def get(self, args):
        """Search posts by department, name and state; paged, sortable by order_num, name, created_at."""
        return org.post_page(args)

    @blp.doc(security=SECURITY)
    @blp.arguments(PostPayload)
    @blp.response(201, PostSchema)
    @require("system.post:add")
    def post(self, data):
        """Add a post to ``department_id`` (an enabled department of the caller's scope)."""
        return org.post_view(org.create_post(data))


@blp.route("/<int:post_id>")
class PostItem(MethodView):
    @blp.doc(security=SECURITY)
    @blp.response(200, PostSchema)
    @require("system.post:list")
    def get(self, post_id):
        """One post with its department's name."""
        return org.post_view(_live_or_404(post_id))

    @blp.doc(security=SECURITY)
    @blp.arguments(PostPayload)
    @blp.response(200, PostSchema)
    @require("system.post:edit")
    def put(self, data, post_id):
        """Change name, order, state; a new ``department_id`` moves the post (not while users hold it)."""
        return org.post_view(org.update_post(_live_or_404(post_id), data))

    @blp.doc(security=SECURITY)
    @blp.response(204)
    @require("system.post:delete")
    def delete(self, post_id):
        """Delete a post no user holds."""
        org.delete_post(_live_or_404(post_id))
