"""Languages of the admin: Flask-Babel set up by the webui blueprint, zh-CN by default.

The locale comes from ``?lang=`` (remembered in the ``lang`` cookie), else the ``lang`` cookie, else
the app's ``CHARGEHUB_LANGUAGE`` setting. Source strings are Chinese (the manual's words); the English
catalog lives in ``translations/en/LC_MESSAGES/messages.po`` (compiled by ``scripts/install.sh``).
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request
from flask_babel import Babel, get_locale
from flask_babel import lazy_gettext as _l

from chargehub.config import SUPPORTED_LANGUAGES

TRANSLATIONS = Path(__file__).parent / "translations"
COOKIE = "lang"
#: UI language code -> Babel locale.
BABEL_LOCALES = {"zh-CN": "zh_Hans_CN", "en": "en"}

#: Strings the browser scripts show, translated per request and handed to them as JSON.
JS_STRINGS = {
    "search": _l("搜索"), "reset": _l("重置"), "actions": _l("操作"), "save": _l("保存"), "cancel": _l("取消"),
    "confirm": _l("确定"), "close": _l("关闭"), "loading": _l("加载中…"), "empty": _l("暂无数据"),
    "total": _l("共 {n} 条"), "per_page": _l("{n} 条/页"), "prev": _l("上一页"), "next": _l("下一页"),
    "choose": _l("请选择"), "all": _l("全部"), "yes": _l("是"), "no": _l("否"), "enabled": _l("启用"),
    "disabled": _l("禁用"), "required": _l("此项为必填项"), "saved": _l("已保存"), "done": _l("操作成功"),
    "failed": _l("操作失败"), "network": _l("网络错误，请稍后重试"), "detail": _l("详细"),
    "created_at": _l("创建时间"), "created_by": _l("创建人"), "updated_at": _l("修改时间"),
    "updated_by": _l("修改人"), "expand_all": _l("展开"), "collapse_all": _l("折叠"),
    "result_once": _l("请妥善保存，此信息只显示一次。"), "from": _l("开始日期"), "to": _l("结束日期"),
    "confirm_title": _l("请确认"), "keep_blank": _l("留空则不修改"),
    "secret_set": _l("已设置"), "secret_unset": _l("未设置"), "clear_secret": _l("清除"),
    "add_row": _l("添加一行"), "delete_row": _l("删除"),
    "plugin_enabled": _l("已启用"), "plugin_disabled": _l("未启用"), "configured": _l("配置完整"),
    "not_configured": _l("配置不完整"), "unavailable": _l("不可用"), "provider": _l("服务商"),
    "assigned_users": _l("已分配用户"), "assign": _l("分配"), "unassign": _l("取消授权"),
    "add_users": _l("添加用户"), "car_stations": _l("汽车电站"), "bike_stations": _l("单车电站"),
    "no_plugins": _l("暂无可用插件"), "pick_provider": _l("请选择服务商"), "version": _l("版本"),
    "category": _l("类别"), "enable_plugin": _l("启用插件"),
    # charging assets (assets.js)
    "cmd_accepted": _l("指令已执行"), "cmd_rejected": _l("设备拒绝执行"), "cmd_timeout": _l("设备响应超时"),
    "cmd_offline": _l("设备离线"), "qr_plain": _l("简洁样式"), "qr_labeled": _l("标注样式"), "qr_card": _l("卡片样式"),
    "download": _l("下载"), "charge_url": _l("充电链接"), "export_waiting": _l("正在导出，请稍候…"),
    "export_done": _l("导出完成，共 {n} 条"), "export_failed": _l("导出失败"), "export_download": _l("下载文件"),
    "application_qr": _l("扫码申请私桩"), "approve": _l("通过"), "reject": _l("驳回"),
    "review_remark": _l("审核意见"), "billing_none": _l("暂无计费规则"),
    "no_payment_plugins": _l("暂无可配置的支付插件，请先在插件管理中启用支付插件"),
}


def ui_language() -> str:
    """The UI language of this request (``zh-CN`` or ``en``)."""
    for value in (request.args.get(COOKIE), request.cookies.get(COOKIE)):
        if value in SUPPORTED_LANGUAGES:
            return value
    return current_app.config["CHARGEHUB"]["LANGUAGE"]


def _select_locale() -> str:
    return BABEL_LOCALES[ui_language()]


def js_strings() -> dict[str, str]:
    """:data:`JS_STRINGS` in this request's language."""
    return {key: str(value) for key, value in JS_STRINGS.items()}


def init_app(app: Flask) -> None:
    """Install Flask-Babel (once) and remember ``?lang=`` in a cookie."""
    if "babel" not in app.extensions:
        Babel(app, locale_selector=_select_locale, default_translation_directories=str(TRANSLATIONS))

    @app.after_request
    def _remember_language(response):
        lang = request.args.get(COOKIE)
        if lang in SUPPORTED_LANGUAGES and request.cookies.get(COOKIE) != lang:
            response.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, samesite="Lax")
        return response

    app.jinja_env.globals.update(ui_language=ui_language, get_locale=get_locale)
