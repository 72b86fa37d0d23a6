"""The data contract: every table of a member-analytics data set, its columns, types and Chinese aliases.

One source of truth shared by the generator (``helpers.generate``), the loader and its pandera schemas
(``helpers.data``) and the data dictionary (``datasets/README.md``). Change a column here and all three follow.

Conventions
-----------
* Column names are English snake_case; values that a Chinese analyst reads (channel, payment, category, city …)
  are Chinese, except ``orders.status`` (``paid`` / ``refunded``) and ``events.event_type`` which are codes.
* Timestamps are naive local time (Asia/Shanghai), second resolution.
* Money is in 元 (CNY) with two decimals.
* ``aliases`` lists header names seen in real Chinese exports (Excel / POS / CRM) that the loader maps onto the
  English name. Matching is case-insensitive and ignores surrounding whitespace.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: logical types understood by the loader: how a raw column is parsed and what dtype it becomes
KINDS = ("id", "str", "category", "datetime", "date", "money", "float", "int", "bool")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    zh: str
    en: str
    unit: str = ""
    required: bool = False
    nullable: bool = True
    aliases: tuple[str, ...] = ()
    allowed: tuple[str, ...] | None = None  # closed set of values for categoricals, None = open
    min_value: float | None = None  # lower bound for numeric kinds (inclusive)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} for column {self.name}")


@dataclass(frozen=True)
class Table:
    name: str
    zh: str
    en: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()  # columns that identify a row uniquely
    foreign_keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # column -> (table, column)
    required: bool = False
    file_aliases: tuple[str, ...] = ()  # other file stems accepted for this table (e.g. 订单)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


CHANNELS = ("门店", "线上商城", "小程序")
PAYMENT_METHODS = ("微信支付", "支付宝", "银行卡", "现金", "储值卡")
ORDER_STATUS = ("paid", "refunded")
SOURCE_CHANNELS = ("门店注册", "线上广告", "会员推荐", "线下活动")
GENDERS = ("男", "女", "未知")
EVENT_TYPES = ("view", "search", "cart", "favourite", "share")
FEEDBACK_CATEGORIES = ("产品质量", "服务态度", "营销活动", "物流配送", "会员权益", "其他")
FEEDBACK_CHANNELS = ("小程序", "客服热线", "门店意见簿", "APP评价", "微信公众号", "电商平台评价")
STORE_TYPES = ("门店", "线上商城", "小程序")
CAMPAIGN_ARMS = ("treatment", "control")

#: the category → department routing the service desk uses (the truth for module 08)
CATEGORY_DEPARTMENT = {
    "产品质量": "品控部",
    "服务态度": "门店运营部",
    "营销活动": "市场部",
    "物流配送": "物流部",
    "会员权益": "会员中心",
    "其他": "客服中心",
}
DEPARTMENTS = tuple(CATEGORY_DEPARTMENT.values())


MEMBERS = Table(
    name="members",
    zh="会员档案",
    en="Member master data: one row per registered member",
    key=("member_id",),
    file_aliases=("会员", "会员档案", "会员信息"),
    foreign_keys={"referrer_id": ("members", "member_id")},
    columns=(
        Column("member_id", "id", "会员ID", "member identifier", required=True, nullable=False,
                aliases=("会员ID", "会员编号", "会员号", "会员卡号", "客户ID", "customer_id", "memberid")),
        Column("register_ts", "datetime", "注册时间", "registration time", aliases=("注册时间", "注册日期", "入会时间")),
        Column("gender", "category", "性别", "gender", allowed=GENDERS, aliases=("性别",)),
        Column("birth_year", "int", "出生年份", "year of birth", min_value=1900, aliases=("出生年份", "出生年")),
        Column("city", "category", "城市", "city of residence", aliases=("城市", "所在城市")),
        Column("city_tier", "int", "城市等级", "city tier (1 = 一线 … 5 = 五线)", min_value=1, aliases=("城市等级", "城市级别")),
        Column("source_channel", "category", "注册渠道", "how the member joined", allowed=SOURCE_CHANNELS,
                aliases=("注册渠道", "来源渠道", "入会渠道")),
        Column("referrer_id", "id", "推荐人会员ID", "member who referred this member (会员推荐 only)",
                aliases=("推荐人", "推荐人ID", "推荐人会员ID")),
        Column("sms_consent", "bool", "短信营销授权", "agreed to receive marketing SMS", aliases=("短信授权", "短信营销授权")),
        Column("email_consent", "bool", "邮件营销授权", "agreed to receive marketing e-mail",
                aliases=("邮件授权", "邮件营销授权")),
        Column("phone_masked", "str", "手机号(脱敏)", "masked mobile number, 138****5678 style; never a full number",
                aliases=("手机号", "手机号码", "联系电话")),
    ),
)

PRODUCTS = Table(
    name="products",
    zh="商品目录",
    en="Product catalogue",
    key=("product_id",),
    file_aliases=("商品", "商品目录", "商品信息"),
    columns=(
        Column("product_id", "id", "商品ID", "product identifier (SKU)", required=True, nullable=False,
                aliases=("商品ID", "商品编码", "商品编号", "SKU", "sku")),
        Column("product_name", "str", "商品名称", "product name", aliases=("商品名称", "品名")),
        Column("category", "category", "品类", "category", aliases=("品类", "类目", "商品类别", "一级类目")),
        Column("subcategory", "category", "子品类", "subcategory", aliases=("子品类", "二级类目")),
        Column("brand", "category", "品牌", "brand", aliases=("品牌",)),
        Column("price", "money", "标价", "list price", unit="元", min_value=0, aliases=("标价", "售价", "零售价")),
        Column("unit_cost", "money", "单位成本", "unit cost", unit="元", min_value=0, aliases=("成本", "单位成本", "进价")),
    ),
)

STORES = Table(
    name="stores",
    zh="门店与渠道",
    en="Stores, plus one virtual store per online channel",
    key=("store_id",),
    file_aliases=("门店", "门店信息"),
    columns=(
        Column("store_id", "id", "门店ID", "store identifier", required=True, nullable=False,
                aliases=("门店ID", "门店编号", "门店编码", "店铺ID")),
        Column("store_name", "str", "门店名称", "store name", aliases=("门店名称", "店名")),
        Column("store_type", "category", "门店类型", "physical store or online channel", allowed=STORE_TYPES,
                aliases=("门店类型", "渠道类型")),
        Column("city", "category", "城市", "city (empty for online channels)", aliases=("城市",)),
        Column("city_tier", "int", "城市等级", "city tier", min_value=1, aliases=("城市等级",)),
        Column("open_date", "date", "开业日期", "opening date", aliases=("开业日期", "开店日期")),
    ),
)

ORDERS = Table(
    name="orders",
    zh="订单",
    en="Orders (transactions): the only required table",
    key=("order_id",),
    required=True,
    file_aliases=("订单", "订单明细表", "交易", "transactions", "销售"),
    foreign_keys={"member_id": ("members", "member_id"), "store_id": ("stores", "store_id")},
    columns=(
        Column("order_id", "id", "订单号", "order identifier", nullable=False,
                aliases=("订单号", "订单ID", "订单编号", "交易单号", "小票号")),
        Column("member_id", "id", "会员ID", "member who placed the order", required=True, nullable=False,
                aliases=("会员ID", "会员编号", "会员号", "会员卡号", "客户ID", "customer_id")),
        Column("order_ts", "datetime", "下单时间", "order time", required=True, nullable=False,
                aliases=("下单时间", "订单时间", "交易时间", "消费时间", "购买时间", "支付时间")),
        Column("store_id", "id", "门店ID", "store or online channel that took the order",
                aliases=("门店ID", "门店编号", "门店编码", "店铺ID")),
        Column("channel", "category", "渠道", "sales channel", allowed=CHANNELS, aliases=("渠道", "销售渠道", "下单渠道")),
        Column("payment_method", "category", "支付方式", "payment method", allowed=PAYMENT_METHODS,
                aliases=("支付方式", "付款方式")),
        Column("gross_amount", "money", "应付金额", "amount before discounts", unit="元", min_value=0,
                aliases=("应付金额", "订单金额", "原价金额", "商品总额")),
        Column("discount_amount", "money", "优惠金额", "discounts and coupons", unit="元", min_value=0,
                aliases=("优惠金额", "折扣金额")),
        Column("net_amount", "money", "实付金额", "amount paid", unit="元", required=True, nullable=False, min_value=0,
                aliases=("实付金额", "实收金额", "支付金额", "消费金额", "成交金额")),
        Column("points_earned", "int", "获得积分", "loyalty points earned", unit="分", min_value=0,
                aliases=("获得积分", "积分获得", "赠送积分")),
        Column("points_redeemed", "int", "使用积分", "loyalty points redeemed", unit="分", min_value=0,
                aliases=("使用积分", "积分抵扣", "消耗积分")),
        Column("coupon_id", "id", "优惠券ID", "coupon used, if any", aliases=("优惠券ID", "优惠券编号", "券号")),
        Column("status", "category", "订单状态", "paid or refunded", allowed=ORDER_STATUS, aliases=("订单状态", "状态")),
    ),
)

ORDER_ITEMS = Table(
    name="order_items",
    zh="订单商品明细",
    en="Order lines: products, quantities and prices",
    key=("order_id", "line_no"),
    file_aliases=("订单商品", "订单明细", "商品明细"),
    foreign_keys={"order_id": ("orders", "order_id"), "product_id": ("products", "product_id")},
    columns=(
        Column("order_id", "id", "订单号", "order", required=True, nullable=False, aliases=("订单号", "订单ID", "订单编号")),
        Column("line_no", "int", "行号", "line number within the order", min_value=1, aliases=("行号", "明细行号")),
        Column("product_id", "id", "商品ID", "product", required=True, nullable=False, aliases=("商品ID", "商品编码", "SKU")),
        Column("quantity", "int", "数量", "quantity", unit="件", min_value=1, aliases=("数量", "购买数量")),
        Column("unit_price", "money", "成交单价", "unit price paid before order-level discounts", unit="元", min_value=0,
                aliases=("单价", "成交单价")),
        Column("line_amount", "money", "行金额", "quantity × unit price", unit="元", min_value=0, aliases=("行金额", "小计")),
    ),
)

EVENTS = Table(
    name="events",
    zh="浏览行为",
    en="Online browsing events (mall and mini-program)",
    key=("event_id",),
    file_aliases=("行为", "浏览行为", "埋点"),
    foreign_keys={"member_id": ("members", "member_id"), "product_id": ("products", "product_id")},
    columns=(
        Column("event_id", "id", "事件ID", "event identifier", nullable=False, aliases=("事件ID",)),
        Column("member_id", "id", "会员ID", "member", required=True, nullable=False, aliases=("会员ID", "会员编号")),
        Column("event_ts", "datetime", "事件时间", "event time", required=True, nullable=False, aliases=("事件时间", "时间")),
        Column("event_type", "category", "事件类型", "view / search / cart / favourite / share", allowed=EVENT_TYPES,
                required=True, aliases=("事件类型", "行为类型")),
        Column("product_id", "id", "商品ID", "product viewed (empty for searches)", aliases=("商品ID",)),
        Column("channel", "category", "渠道", "online channel", allowed=CHANNELS, aliases=("渠道",)),
    ),
)

CAMPAIGNS = Table(
    name="campaigns",
    zh="营销活动",
    en="Past marketing campaigns",
    key=("campaign_id",),
    file_aliases=("活动", "营销活动"),
    columns=(
        Column("campaign_id", "id", "活动ID", "campaign identifier", required=True, nullable=False, aliases=("活动ID", "活动编号")),
        Column("campaign_name", "str", "活动名称", "campaign name", aliases=("活动名称",)),
        Column("channel", "category", "触达渠道", "contact channel (短信 / APP推送 / 邮件)", aliases=("触达渠道", "渠道")),
        Column("start_date", "date", "开始日期", "first day", aliases=("开始日期",)),
        Column("end_date", "date", "结束日期", "last day (redemption window closes)", aliases=("结束日期",)),
        Column("offer", "str", "优惠内容", "offer description", aliases=("优惠内容", "权益")),
        Column("coupon_id", "id", "优惠券ID", "coupon the campaign hands out", aliases=("优惠券ID",)),
        Column("cost_per_contact", "money", "单次触达成本", "cost of one send", unit="元", min_value=0,
                aliases=("单次触达成本", "触达成本")),
    ),
)

CAMPAIGN_CONTACTS = Table(
    name="campaign_contacts",
    zh="活动触达明细",
    en="Who was assigned to each campaign arm, and what happened",
    key=("campaign_id", "member_id"),
    file_aliases=("活动触达", "触达明细"),
    foreign_keys={"campaign_id": ("campaigns", "campaign_id"), "member_id": ("members", "member_id")},
    columns=(
        Column("campaign_id", "id", "活动ID", "campaign", required=True, nullable=False, aliases=("活动ID",)),
        Column("member_id", "id", "会员ID", "member", required=True, nullable=False, aliases=("会员ID",)),
        Column("arm", "category", "分组", "treatment (contacted) or control (held out)", allowed=CAMPAIGN_ARMS,
                required=True, aliases=("分组", "实验组别")),
        Column("sent_ts", "datetime", "发送时间", "send time (empty for control)", aliases=("发送时间",)),
        Column("opened", "bool", "是否打开", "opened / clicked the message", aliases=("是否打开",)),
        Column("redeemed", "bool", "是否核销", "redeemed the campaign coupon", aliases=("是否核销", "是否使用")),
    ),
)

FEEDBACK = Table(
    name="feedback",
    zh="会员反馈",
    en="Member feedback: complaints, praise and suggestions",
    key=("feedback_id",),
    file_aliases=("反馈", "会员反馈", "投诉建议"),
    foreign_keys={"member_id": ("members", "member_id")},
    columns=(
        Column("feedback_id", "id", "反馈ID", "feedback identifier", required=True, nullable=False, aliases=("反馈ID", "工单号")),
        Column("member_id", "id", "会员ID", "member", aliases=("会员ID",)),
        Column("channel", "category", "反馈渠道", "where the message came in", allowed=FEEDBACK_CHANNELS,
                aliases=("反馈渠道", "来源")),
        Column("created_ts", "datetime", "提交时间", "when the member wrote", required=True, nullable=False,
                aliases=("提交时间", "创建时间", "反馈时间")),
        Column("text", "str", "反馈内容", "free text as written by the member", required=True,
                aliases=("反馈内容", "内容", "留言")),
        Column("rating", "int", "评分", "satisfaction 1–5 (empty when not given)", min_value=1, aliases=("评分", "满意度")),
        Column("category", "category", "问题类别", "category assigned by the service desk", allowed=FEEDBACK_CATEGORIES,
                aliases=("问题类别", "类别", "分类")),
        Column("department", "category", "处理部门", "department the case was routed to", allowed=DEPARTMENTS,
                aliases=("处理部门", "责任部门")),
        Column("first_response_ts", "datetime", "首次响应时间", "first reply to the member", aliases=("首次响应时间", "响应时间")),
        Column("resolved_ts", "datetime", "解决时间", "case closed", aliases=("解决时间", "关闭时间")),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (MEMBERS, PRODUCTS, STORES, ORDERS, ORDER_ITEMS, EVENTS, CAMPAIGNS, CAMPAIGN_CONTACTS, FEEDBACK)
}

#: load order: referenced tables before the tables that reference them (TABLES is written in that order)
LOAD_ORDER = tuple(TABLES)
