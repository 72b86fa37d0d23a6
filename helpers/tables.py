# typography: ignore-file  (Chinese header names and aliases are data matched against real exports, not prose)
"""The data contract: every table of a member-analytics data set, its columns, types and header aliases.

One source of truth shared by the generator (``helpers.generate``), the loader and its pandera schemas
(``helpers.data``) and the data dictionary (``datasets/README.md``). Change a column here and all three follow.

Conventions
-----------
* Column names are English snake_case; values that a Chinese analyst reads (channel, payment, category, city …)
  are Chinese, except ``orders.status`` (``paid`` / ``refunded``) and ``events.event_type`` which are codes.
* Timestamps are naive local time (Asia/Shanghai), second resolution.
* Money is in 元 (CNY) with two decimals.

Header aliases (data, read by the loader)
-----------------------------------------
* ``aliases``: header names that mean exactly this column in real exports, Chinese (Excel / POS / CRM) and common
  English (``customer_id``, ``order_date``, ``paid_amount`` …). Matching is case-insensitive and ignores
  whitespace, ``_`` / ``-``, full-width forms and a trailing unit in parentheses. Two headers of one file that
  both match one column are an error: the loader never picks one silently.
* ``weak_aliases``: a related header used only when the file has no better one (``支付时间`` is the order time
  of an export without ``下单时间``); beside a better one it is left out and reported.
* ``value_aliases``: spellings of a closed category's values (``已退款`` → ``refunded``).
* Within one table a normalised name belongs to one column only (``tests/test_data_mapping.py`` checks it).

Scope (what ``as_of`` cuts)
---------------------------
``Table.scope`` names the column whose time decides whether a row lies after the analysis as-of date (out of
scope, not bad data): a member's registration, an order's time, an event's time, a campaign's start, a feedback's
creation. Tables without one (products, stores, order_items, campaign_contacts) follow their parents through the
foreign keys: the lines of an order after the as-of are out of scope with it.

Reversals (红冲)
----------------
``REVERSAL`` describes how a refund arrives as its own negative line: which table and amount, the loader-only
column that names the original order (``Table.auxiliary``; never part of the loaded frame) and the status
values that mark such a line. The loader folds a reversal into its original order (see ``helpers.data``).
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
    weak_aliases: tuple[str, ...] = ()  # used only when no name / alias of this column is in the file
    value_aliases: tuple[tuple[str, str], ...] = ()  # (spelling in exports, allowed value)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown kind {self.kind!r} for column {self.name}")
        if self.allowed is not None and any(v not in self.allowed for _, v in self.value_aliases):
            raise ValueError(f"value alias of {self.name} maps to a value outside allowed")

    @property
    def names(self) -> tuple[str, ...]:
        """Every header that means this column: name, Chinese name, aliases (weak aliases not included)."""
        return (self.name, self.zh, *self.aliases)


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
    scope: str | None = None  # column whose time decides "after the as-of" (None: follows its parents)
    auxiliary: tuple[Column, ...] = ()  # loader-only input columns (not in the loaded frame, not generated)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in (*self.columns, *self.auxiliary):
            if c.name == name:
                return c
        raise KeyError(name)


@dataclass(frozen=True)
class Reversal:
    """A 红冲 line: a negative ``amount`` (or a ``status`` in ``status_values``) that refunds the order named in the
    ``reference`` auxiliary column (or, without one, the order with the same ``key``)."""

    table: str
    amount: str
    reference: str
    key: str
    status: str
    status_values: tuple[str, ...]


CHANNELS = ("门店", "线上商城", "小程序")
PAYMENT_METHODS = ("微信支付", "支付宝", "银行卡", "现金", "储值卡")
ORDER_STATUS = ("paid", "refunded")
SOURCE_CHANNELS = ("门店注册", "线上广告", "会员推荐", "线下活动")
GENDERS = ("男", "女", "未知")
EVENT_TYPES = ("view", "search", "cart", "favourite", "share")
FEEDBACK_CATEGORIES = ("产品质量", "服务态度", "营销活动", "物流配送", "会员权益", "其他")
FEEDBACK_CHANNELS = ("小程序", "客服热线", "门店意见簿", "APP评价", "微信公众号", "电商平台评价")
STORE_TYPES = ("门店", "线上商城", "小程序")
CAMPAIGN_ARMS = ("treatment", "control")  # the usual labels; campaign_contacts.arm accepts any arm label

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



# ---- English header aliases shared by several tables (one list per concept) -------------------------------------
MEMBER_ID_ALIASES = ("会员ID", "会员编号", "会员号", "会员卡号", "客户ID", "客户编号", "顾客ID", "顾客编号", "用户ID",
                     "customer_id", "customer_no", "cust_id", "client_id", "user_id", "userid", "uid",
                     "member", "member_no", "member_code", "vip_id", "vip_no", "card_no", "buyer_id")
ORDER_ID_ALIASES = ("订单号", "订单ID", "订单编号", "交易单号", "小票号", "单据号", "流水号", "order_no", "order_number",
                    "transaction_id", "transaction_no", "txn_id", "receipt_no", "ticket_no", "bill_no", "invoice_no")
PRODUCT_ID_ALIASES = ("商品ID", "商品编码", "商品编号", "货号", "SKU", "sku_id", "item_id", "goods_id", "product_code",
                      "product_no", "article_no")
STORE_ID_ALIASES = ("门店ID", "门店编号", "门店编码", "门店代码", "店铺ID", "店铺编号", "shop_id", "shop_code",
                    "store_code", "store_no", "branch_id", "outlet_id")
CAMPAIGN_ID_ALIASES = ("活动ID", "活动编号", "活动代码", "campaign_code", "campaign_no", "activity_id", "promo_id")
COUPON_ID_ALIASES = ("优惠券ID", "优惠券编号", "优惠券码", "券号", "券码", "coupon", "coupon_code", "coupon_no",
                     "voucher_id", "voucher_code")
CITY_TIER_ALIASES = ("城市等级", "城市级别", "城市线级", "city_level", "city_grade")

MEMBERS = Table(
    name="members",
    zh="会员档案",
    en="Member master data: one row per registered member",
    key=("member_id",),
    file_aliases=("会员", "会员档案", "会员信息"),
    scope="register_ts",
    foreign_keys={"referrer_id": ("members", "member_id")},
    columns=(
        Column("member_id", "id", "会员ID", "member identifier", required=True, nullable=False,
                aliases=MEMBER_ID_ALIASES),
        Column("register_ts", "datetime", "注册时间", "registration time",
                aliases=("注册时间", "注册日期", "入会时间", "开卡时间", "开卡日期", "register_date", "register_time",
                         "registered_at", "registration_date", "registration_time", "signup_date", "signup_time",
                         "sign_up_date", "join_date", "join_time", "joined_at", "created_at", "create_time")),
        Column("gender", "category", "性别", "gender", allowed=GENDERS, aliases=("性别", "sex")),
        Column("birth_year", "int", "出生年份", "year of birth", min_value=1900,
                aliases=("出生年份", "出生年", "year_of_birth", "birthyear")),
        Column("city", "category", "城市", "city of residence",
                aliases=("城市", "所在城市", "居住城市", "city_name", "home_city")),
        Column("city_tier", "int", "城市等级", "city tier (1 = 一线 … 5 = 五线)", min_value=1, aliases=CITY_TIER_ALIASES),
        Column("source_channel", "category", "注册渠道", "how the member joined", allowed=SOURCE_CHANNELS,
                aliases=("注册渠道", "来源渠道", "入会渠道", "来源", "渠道", "source", "channel", "signup_channel",
                         "register_channel", "acquisition_channel")),
        Column("referrer_id", "id", "推荐人会员ID", "member who referred this member (会员推荐 only)",
                aliases=("推荐人", "推荐人ID", "推荐人会员ID", "邀请人", "邀请人ID", "referrer", "referred_by",
                         "referrer_member_id", "inviter_id")),
        Column("sms_consent", "bool", "短信营销授权", "agreed to receive marketing SMS",
                aliases=("短信授权", "短信营销授权", "短信订阅", "接收短信", "sms_opt_in", "sms_optin", "accepts_sms",
                         "sms_subscribed")),
        Column("email_consent", "bool", "邮件营销授权", "agreed to receive marketing e-mail",
                aliases=("邮件授权", "邮件营销授权", "邮件订阅", "接收邮件", "email_opt_in", "email_optin", "accepts_email",
                         "email_subscribed")),
        Column("phone_masked", "str", "手机号(脱敏)", "masked mobile number, 138****5678 style; never a full number",
                aliases=("手机号", "手机号码", "联系电话", "手机", "phone", "mobile", "phone_number", "mobile_phone",
                         "cellphone", "tel")),
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
                aliases=PRODUCT_ID_ALIASES),
        Column("product_name", "str", "商品名称", "product name",
                aliases=("商品名称", "品名", "商品名", "name", "title", "item_name", "goods_name")),
        Column("category", "category", "品类", "category",
                aliases=("品类", "类目", "商品类别", "一级类目", "大类", "category_name", "cat1", "level1_category")),
        Column("subcategory", "category", "子品类", "subcategory",
                aliases=("子品类", "二级类目", "小类", "sub_category", "cat2", "level2_category")),
        Column("brand", "category", "品牌", "brand", aliases=("品牌", "品牌名称", "brand_name")),
        Column("price", "money", "标价", "list price", unit="元", min_value=0,
                aliases=("标价", "售价", "零售价", "吊牌价", "标准价", "list_price", "retail_price", "msrp")),
        Column("unit_cost", "money", "单位成本", "unit cost", unit="元", min_value=0,
                aliases=("成本", "单位成本", "进价", "成本价", "cost", "cost_price", "purchase_price")),
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
                aliases=STORE_ID_ALIASES),
        Column("store_name", "str", "门店名称", "store name",
                aliases=("门店名称", "店名", "店铺名称", "shop_name", "name", "branch_name")),
        Column("store_type", "category", "门店类型", "physical store or online channel", allowed=STORE_TYPES,
                aliases=("门店类型", "渠道类型", "门店类别", "type", "shop_type", "channel_type")),
        Column("city", "category", "城市", "city (empty for online channels)", aliases=("城市", "city_name")),
        Column("city_tier", "int", "城市等级", "city tier", min_value=1, aliases=CITY_TIER_ALIASES),
        Column("open_date", "date", "开业日期", "opening date",
                aliases=("开业日期", "开店日期", "开业时间", "opening_date", "open_time", "opened_at")),
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
    scope="order_ts",
    auxiliary=(
        Column("original_order_id", "id", "原订单号", "the order a 红冲 reversal line refunds (loader input only)",
               aliases=("原订单号", "原单号", "原订单ID", "原始订单号", "关联订单号", "被冲订单号", "original_order_id",
                        "original_order_no", "ref_order_id", "reference_order_id", "refund_of", "reversal_of")),
    ),
    columns=(
        Column("order_id", "id", "订单号", "order identifier", nullable=False,
                aliases=ORDER_ID_ALIASES),
        Column("member_id", "id", "会员ID", "member who placed the order", required=True, nullable=False,
                aliases=MEMBER_ID_ALIASES),
        Column("order_ts", "datetime", "下单时间", "order time", required=True, nullable=False,
                aliases=("下单时间", "订单时间", "交易时间", "消费时间", "购买时间", "order_date", "order_time", "order_datetime",
                         "created_at", "create_time", "created_time", "transaction_date", "transaction_time",
                         "txn_time", "purchase_date", "purchase_time"),
                weak_aliases=("支付时间", "付款时间", "paid_at", "payment_time", "pay_time", "date", "time")),
        Column("store_id", "id", "门店ID", "store or online channel that took the order",
                aliases=STORE_ID_ALIASES),
        Column("channel", "category", "渠道", "sales channel", allowed=CHANNELS,
                aliases=("渠道", "销售渠道", "下单渠道", "sales_channel", "order_channel", "platform")),
        Column("payment_method", "category", "支付方式", "payment method", allowed=PAYMENT_METHODS,
                aliases=("支付方式", "付款方式", "结算方式", "payment", "payment_type", "pay_method", "pay_type", "tender")),
        Column("gross_amount", "money", "应付金额", "amount before discounts", unit="元", min_value=0,
                aliases=("应付金额", "订单金额", "原价金额", "商品总额", "应收金额", "原价", "gross", "gross_sales", "original_amount",
                         "original_price", "amount_before_discount")),
        Column("discount_amount", "money", "优惠金额", "discounts and coupons", unit="元", min_value=0,
                aliases=("优惠金额", "折扣金额", "折扣", "优惠", "discount", "discounts", "discount_total", "coupon_amount",
                         "promotion_amount")),
        Column("net_amount", "money", "实付金额", "amount paid", unit="元", required=True, nullable=False, min_value=0,
                aliases=("实付金额", "实收金额", "支付金额", "消费金额", "成交金额", "实付", "实收", "付款金额", "销售额", "amount", "total",
                         "total_amount", "order_total", "paid_amount", "payment_amount", "pay_amount", "net",
                         "net_sales", "sales_amount", "revenue")),
        Column("points_earned", "int", "获得积分", "loyalty points earned", unit="分", min_value=0,
                aliases=("获得积分", "积分获得", "赠送积分", "积分", "本单积分", "points", "earned_points", "reward_points")),
        Column("points_redeemed", "int", "使用积分", "loyalty points redeemed", unit="分", min_value=0,
                aliases=("使用积分", "积分抵扣", "消耗积分", "抵扣积分", "points_used", "redeemed_points", "points_spent")),
        Column("coupon_id", "id", "优惠券ID", "coupon used, if any", aliases=COUPON_ID_ALIASES),
        Column("status", "category", "订单状态", "paid or refunded", allowed=ORDER_STATUS,
               value_aliases=tuple((v, "paid") for v in ("已支付", "已付款", "支付成功", "交易成功", "已完成", "完成",
                                                          "正常", "completed", "complete", "success", "succeeded"))
               + tuple((v, "refunded") for v in ("已退款", "退款", "全额退款", "退货", "已退货", "refund",
                                                  "returned")),
                aliases=("订单状态", "状态", "交易状态", "order_status")),
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
        Column("order_id", "id", "订单号", "order", required=True, nullable=False, aliases=ORDER_ID_ALIASES),
        Column("line_no", "int", "行号", "line number within the order", min_value=1,
                aliases=("行号", "明细行号", "序号", "line", "line_number", "line_id", "item_no", "seq")),
        Column("product_id", "id", "商品ID", "product", required=True, nullable=False, aliases=PRODUCT_ID_ALIASES),
        Column("quantity", "int", "数量", "quantity", unit="件", min_value=1,
                aliases=("数量", "购买数量", "件数", "销量", "qty", "units", "count")),
        Column("unit_price", "money", "成交单价", "unit price paid before order-level discounts", unit="元", min_value=0,
                aliases=("单价", "成交单价", "成交价", "售价", "price", "sale_price", "selling_price")),
        Column("line_amount", "money", "行金额", "quantity × unit price", unit="元", min_value=0,
                aliases=("行金额", "小计", "金额", "行小计", "amount", "line_total", "subtotal", "total")),
    ),
)

EVENTS = Table(
    name="events",
    zh="浏览行为",
    en="Online browsing events (mall and mini-program)",
    key=("event_id",),
    file_aliases=("行为", "浏览行为", "埋点"),
    foreign_keys={"member_id": ("members", "member_id"), "product_id": ("products", "product_id")},
    scope="event_ts",
    columns=(
        Column("event_id", "id", "事件ID", "event identifier", nullable=False,
                aliases=("事件ID", "日志ID", "埋点ID", "log_id")),
        Column("member_id", "id", "会员ID", "member", required=True, nullable=False, aliases=MEMBER_ID_ALIASES),
        Column("event_ts", "datetime", "事件时间", "event time", required=True, nullable=False,
                aliases=("事件时间", "行为时间", "发生时间", "event_time", "timestamp", "ts", "occurred_at", "created_at"),
                weak_aliases=("时间", "time", "date")),
        Column("event_type", "category", "事件类型", "view / search / cart / favourite / share", allowed=EVENT_TYPES,
                required=True, aliases=("事件类型", "行为类型", "行为", "type", "action", "event", "event_name")),
        Column("product_id", "id", "商品ID", "product viewed (empty for searches)", aliases=PRODUCT_ID_ALIASES),
        Column("channel", "category", "渠道", "online channel", allowed=CHANNELS, aliases=("渠道", "platform")),
    ),
)

CAMPAIGNS = Table(
    name="campaigns",
    zh="营销活动",
    en="Past marketing campaigns",
    key=("campaign_id",),
    file_aliases=("活动", "营销活动"),
    scope="start_date",
    columns=(
        Column("campaign_id", "id", "活动ID", "campaign identifier", required=True, nullable=False, aliases=CAMPAIGN_ID_ALIASES),
        Column("campaign_name", "str", "活动名称", "campaign name",
                aliases=("活动名称", "name", "title", "activity_name")),
        Column("channel", "category", "触达渠道", "contact channel (短信 / APP推送 / 邮件)",
                aliases=("触达渠道", "渠道", "contact_channel", "media")),
        Column("start_date", "date", "开始日期", "first day",
                aliases=("开始日期", "开始时间", "start", "start_time", "begin_date", "starts_at")),
        Column("end_date", "date", "结束日期", "last day (redemption window closes)",
                aliases=("结束日期", "结束时间", "end", "end_time", "finish_date", "ends_at")),
        Column("offer", "str", "优惠内容", "offer description",
                aliases=("优惠内容", "权益", "优惠", "benefit", "promotion", "offer_desc")),
        Column("coupon_id", "id", "优惠券ID", "coupon the campaign hands out", aliases=COUPON_ID_ALIASES),
        Column("cost_per_contact", "money", "单次触达成本", "cost of one send", unit="元", min_value=0,
                aliases=("单次触达成本", "触达成本", "单条成本", "cost", "contact_cost", "cost_per_send")),
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
        Column("campaign_id", "id", "活动ID", "campaign", required=True, nullable=False, aliases=CAMPAIGN_ID_ALIASES),
        Column("member_id", "id", "会员ID", "member", required=True, nullable=False, aliases=MEMBER_ID_ALIASES),
        Column("arm", "category", "分组",
                "control (held out) or the treatment arm's own label (single-arm campaigns: treatment); any label is "
                "accepted",
                required=True, aliases=("分组", "实验组别", "组别", "group", "variant", "test_group", "ab_group")),
        Column("sent_ts", "datetime", "发送时间", "send time (empty for control)",
                aliases=("发送时间", "触达时间", "sent_at", "send_time", "sent_time", "contact_time")),
        Column("opened", "bool", "是否打开", "opened / clicked the message",
                aliases=("是否打开", "打开", "open", "is_opened", "clicked")),
        Column("redeemed", "bool", "是否核销", "redeemed the campaign coupon",
                aliases=("是否核销", "是否使用", "核销", "is_redeemed", "converted", "used")),
    ),
)

FEEDBACK = Table(
    name="feedback",
    zh="会员反馈",
    en="Member feedback: complaints, praise and suggestions",
    key=("feedback_id",),
    file_aliases=("反馈", "会员反馈", "投诉建议"),
    foreign_keys={"member_id": ("members", "member_id")},
    scope="created_ts",
    columns=(
        Column("feedback_id", "id", "反馈ID", "feedback identifier", required=True, nullable=False,
                aliases=("反馈ID", "工单号", "反馈编号", "工单ID", "ticket_id", "ticket_no", "case_id")),
        Column("member_id", "id", "会员ID", "member", aliases=MEMBER_ID_ALIASES),
        Column("channel", "category", "反馈渠道", "where the message came in", allowed=FEEDBACK_CHANNELS,
                aliases=("反馈渠道", "来源", "渠道", "source", "feedback_channel")),
        Column("created_ts", "datetime", "提交时间", "when the member wrote", required=True, nullable=False,
                aliases=("提交时间", "创建时间", "反馈时间", "created_at", "create_time", "submitted_at", "feedback_time"),
                weak_aliases=("date", "time")),
        Column("text", "str", "反馈内容", "free text as written by the member", required=True,
                aliases=("反馈内容", "内容", "留言", "反馈", "评论", "content", "comment", "message", "body", "feedback")),
        Column("rating", "int", "评分", "satisfaction 1–5 (empty when not given)", min_value=1,
                aliases=("评分", "满意度", "打分", "星级", "score", "stars", "satisfaction")),
        Column("category", "category", "问题类别", "category assigned by the service desk", allowed=FEEDBACK_CATEGORIES,
                aliases=("问题类别", "类别", "分类", "问题类型", "issue_type", "topic")),
        Column("department", "category", "处理部门", "department the case was routed to", allowed=DEPARTMENTS,
                aliases=("处理部门", "责任部门", "部门", "dept", "owner_department")),
        Column("first_response_ts", "datetime", "首次响应时间", "first reply to the member",
                aliases=("首次响应时间", "响应时间", "first_response_at", "responded_at", "first_reply_time")),
        Column("resolved_ts", "datetime", "解决时间", "case closed",
                aliases=("解决时间", "关闭时间", "resolved_at", "closed_at", "close_time", "resolve_time")),
    ),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (MEMBERS, PRODUCTS, STORES, ORDERS, ORDER_ITEMS, EVENTS, CAMPAIGNS, CAMPAIGN_CONTACTS, FEEDBACK)
}

#: load order: referenced tables before the tables that reference them (TABLES is written in that order)
LOAD_ORDER = tuple(TABLES)

#: a 红冲 reversal line of ``orders``: negative ``net_amount`` or one of these status values, refunding the order
#: named in ``original_order_id`` (or, without one, the order with the same ``order_id``)
REVERSAL = Reversal(table="orders", amount="net_amount", reference="original_order_id", key="order_id",
                    status="status", status_values=("红冲", "冲红", "红字", "冲销", "红冲单", "reversal", "reversed",
                                                    "refund"))
