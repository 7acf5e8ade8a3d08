"""The permission registry: the manual's menus (菜单) and their buttons (按钮), in one tree.

The sidebar, the pages and the API all read this one registry. A permission code is
``"<menu>:<button>"`` (``"system.user:add"``); seeing a menu needs its ``list`` permission.

Who holds what:

- a login account created with its owner (``User.is_owner``: the first administrator, a provider's
  and a property's account) holds every permission its user type allows;
- any other user holds the union of its *enabled* roles' permissions, limited to what its type allows;
- :data:`TYPE_ALLOWED` says which menus each user type may be granted at all (e.g. only platform
  users manage service providers).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Iterator

from chargehub.tenancy.models import User, UserType

#: Buttons and their labels (zh-CN, en).
BUTTONS: dict[str, tuple[str, str]] = {
    "list": ("查询", "View"),
    "add": ("添加", "Add"),
    "edit": ("修改", "Edit"),
    "state": ("启用/禁用", "Enable / disable"),
    "delete": ("删除", "Delete"),
    "detail": ("详细", "Detail"),
    "export": ("导出", "Export"),
    "audit": ("审核", "Audit"),
    "bind": ("绑定电站", "Bind stations"),
    "reset_password": ("重置密码", "Reset password"),
    "assign": ("分配用户", "Assign users"),
    "configure": ("配置", "Configure"),
    "command": ("设备操作", "Device actions"),
    "refund": ("退费", "Refund"),
    "qrcode": ("二维码", "QR codes"),
    "test": ("计费测试", "Billing test"),
    "options": ("预充值/预估值", "Prepay options / estimates"),
    "split": ("分账", "Split again"),
    "revoke": ("分账撤销", "Revoke split"),
}


@dataclass(frozen=True)
class Menu:
    """A menu: a module (with ``children``) or a page (with ``buttons``).

    :param code: dotted code (``"system.user"``); permission codes are ``code + ":" + button``.
    :param label: Chinese label as in the manual; ``label_en`` for the English UI.
    :param endpoint: the admin page's Flask endpoint once the page exists (pages register it).
    """

    code: str
    label: str
    label_en: str
    buttons: tuple[str, ...] = ()
    children: tuple["Menu", ...] = ()
    icon: str = ""

    def permissions(self) -> Iterator[str]:
        """Every permission code of this menu and its children."""
        for button in self.buttons:
            yield f"{self.code}:{button}"
        for child in self.children:
            yield from child.permissions()


CRUD = ("list", "add", "edit", "state", "delete", "detail", "export")

MENUS: tuple[Menu, ...] = (
    Menu("home", "首页", "Home", buttons=("list",), icon="home"),
    Menu("car", "汽车管理", "Cars", icon="car", children=(
        Menu("car.station", "汽车电站", "Car stations", CRUD + ("audit", "configure", "qrcode")),
        Menu("car.area", "区域管理", "Areas", CRUD),
        Menu("car.space", "车位管理", "Parking spaces", CRUD + ("command",)),
        Menu("car.camera", "相机管理", "Cameras", CRUD + ("command",)),
        Menu("car.pile", "充电桩管理", "Piles", CRUD + ("command", "qrcode")),
        Menu("car.gun", "电枪管理", "Guns", ("list", "edit", "state", "detail", "export", "qrcode", "command")),
        Menu("car.rule", "计费规则", "Billing rules", CRUD + ("test", "options")),
    )),
    Menu("bike", "单车管理", "E-bikes", icon="bike", children=(
        Menu("bike.station", "单车电站", "E-bike stations", CRUD + ("audit", "configure", "qrcode")),
        Menu("bike.area", "区域管理", "Areas", CRUD),
        Menu("bike.device", "设备管理", "Devices", CRUD + ("command", "qrcode")),
        Menu("bike.socket", "插座管理", "Sockets", ("list", "edit", "state", "detail", "export", "qrcode", "command")),
        Menu("bike.rule", "计费规则", "Billing rules", CRUD + ("test", "options")),
    )),
    Menu("order", "订单管理", "Orders", icon="order", children=(
        Menu("order.car", "汽车订单", "Car orders", ("list", "detail", "export", "refund", "split", "edit")),
        Menu("order.bike", "单车订单", "E-bike orders", ("list", "detail", "export", "refund", "split", "edit")),
        Menu("order.payment", "支付订单", "Payments", ("list", "detail", "export")),
        Menu("order.reservation", "预约订单", "Reservations", ("list", "detail", "export")),
        Menu("order.invoice", "发票管理", "Invoices", ("list", "detail", "export", "edit")),
        Menu("order.refund", "退费管理", "Refunds", ("list", "detail", "export")),
    )),
    Menu("member", "会员中心", "Members", icon="member", children=(
        Menu("member.card_product", "电卡产品", "Card products", CRUD),
        Menu("member.card", "卡管理", "Cards", CRUD),
        Menu("member.member", "会员管理", "Members", CRUD),
        Menu("member.owner", "车主管理", "Vehicle owners", CRUD),
        Menu("member.collective", "集体户管理", "Collective accounts", CRUD),
        Menu("member.whitelist", "白名单管理", "Whitelists", CRUD),
    )),
    Menu("stats", "汇总统计", "Statistics", icon="stats", children=(
        Menu("stats.split", "分账记录", "Split payments", ("list", "revoke")),
        Menu("stats.station", "站点统计", "Station statistics", ("list", "export")),
        Menu("stats.capture", "抓拍记录", "Captures", ("list", "detail", "export")),
        Menu("stats.call", "接听记录", "Calls", ("list", "detail", "export")),
        Menu("stats.fault", "故障记录", "Faults", ("list", "detail", "export")),
        Menu("stats.online", "上下线记录", "Online / offline", ("list", "export")),
        Menu("stats.pile_record", "桩交易记录", "Pile transaction records", ("list", "detail", "export")),
        Menu("stats.bike_record", "单车充电记录", "E-bike charge records", ("list", "detail", "export")),
    )),
    Menu("system", "系统管理", "System", icon="system", children=(
        Menu("system.provider", "服务商管理", "Service providers", ("list", "add", "edit", "audit", "state", "detail")),
        Menu("system.property", "集团物业管理", "Properties", ("list", "add", "edit", "state", "detail")),
        Menu("system.user", "用户管理", "Users",
             ("list", "add", "edit", "state", "delete", "detail", "bind", "reset_password")),
        Menu("system.role", "角色管理", "Roles", ("list", "add", "edit", "state", "delete", "detail", "assign")),
        Menu("system.department", "部门管理", "Departments", ("list", "add", "edit", "delete")),
        Menu("system.post", "岗位管理", "Posts", ("list", "add", "edit", "delete")),
        Menu("system.audit_log", "操作日志", "Audit log", ("list",)),
    )),
    Menu("open", "开放中心", "Open center", icon="open", children=(
        Menu("open.plugin", "插件管理", "Plugins", ("list", "configure")),
        Menu("open.plugin_failure", "插件调用失败", "Plugin failures", ("list",)),
    )),
)


def _index(menus: Iterable[Menu]) -> dict[str, Menu]:
    out: dict[str, Menu] = {}
    for menu in menus:
        out[menu.code] = menu
        out.update(_index(menu.children))
    return out


MENU_INDEX: dict[str, Menu] = _index(MENUS)
ALL_PERMISSIONS: frozenset[str] = frozenset(p for m in MENUS for p in m.permissions())

#: Menu code prefixes each user type may hold; everything else is refused even through a role.
TYPE_ALLOWED: dict[UserType, tuple[str, ...]] = {
    UserType.SYSTEM: ("",),
    UserType.PROVIDER: ("home", "car", "bike", "order", "member", "stats", "system.property", "system.user",
                        "system.role", "system.department", "system.post", "system.audit_log", "open"),
    UserType.PROPERTY: ("home", "car", "bike", "order", "member", "stats", "system.user", "system.role",
                        "system.department", "system.post"),
    UserType.COLLECTIVE: ("home", "order", "member.card", "member.member", "member.owner"),
}


def allowed_for(user_type: UserType) -> frozenset[str]:
    """Every permission a user of ``user_type`` may hold."""
    prefixes = TYPE_ALLOWED[user_type]
    return frozenset(p for p in ALL_PERMISSIONS if any(p.startswith(prefix) for prefix in prefixes))


def unknown(codes: Iterable[str]) -> list[str]:
    """The codes that are not in the registry (for validating role payloads)."""
    return sorted(set(codes) - ALL_PERMISSIONS)


def permissions_of(user: User) -> frozenset[str]:
    """What ``user`` may do now: owner accounts everything of their type, others their enabled roles'."""
    allowed = allowed_for(user.user_type)
    if not user.enabled:
        return frozenset()
    if user.is_owner:
        return allowed
    granted: set[str] = set()
    for role in user.roles:
        if role.enabled:
            granted.update(role.permissions or ())
    return frozenset(granted) & allowed


@dataclass
class SidebarEntry:
    """A menu as the sidebar shows it: only entries the user may see, modules with visible children."""

    menu: Menu
    children: list["SidebarEntry"] = field(default_factory=list)


def sidebar(granted: frozenset[str], has_page=lambda code: True) -> list[SidebarEntry]:
    """The sidebar for a user holding ``granted``; ``has_page(code)`` hides menus with no page yet."""
    entries = []
    for menu in MENUS:
        if menu.children:
            children = [SidebarEntry(c) for c in menu.children if f"{c.code}:list" in granted and has_page(c.code)]
            if children:
                entries.append(SidebarEntry(menu, children))
        elif f"{menu.code}:list" in granted and has_page(menu.code):
            entries.append(SidebarEntry(menu))
    return entries
