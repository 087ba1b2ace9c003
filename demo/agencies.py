"""The 685 agencies of the demo round: every agency the 2024 announcement names, and real names for the rest.

How 685 comes out: 28 provincial-level units (22 provinces, 5 autonomous regions and the Xinjiang Production
and Construction Corps), 4 municipalities, 5 separately listed cities, 27 provincial capitals, the other 301
prefecture-level units (cities, autonomous prefectures, prefectures and leagues), and the 267 county-level
units of the four municipalities and the 15 sub-provincial cities (the only districts the report surveys).
That leaves 53 places at the ministry level: 52 State Council bodies and one provincial branch of a
ministry, 国家税务总局广东省税务局.

That branch is filed at the ministry level, under its ministry (国家税务总局), with Guangdong as its province:
it is part of a vertically managed ministry rather than of the provincial government, the announcement lists
it right after 商务部 among the ministries, and the province keeps it findable in the public province filter.

Display names follow the announcement: provinces keep 省 (山东省), autonomous regions drop 自治区 (内蒙古),
cities keep 市, autonomous prefectures shorten to their first place name and 州 (黔南州), and districts carry
their city's short name (北京海淀区, 深圳龙华区).
"""

from dataclasses import dataclass

from govcases.enums import Level

GUANGDONG_TAX_BRANCH = "国家税务总局广东省税务局"

# The State Council's ministries, commissions and the agencies under it that run public-facing services.
MINISTRIES = [
    "外交部",
    "国家发展和改革委员会",
    "教育部",
    "科学技术部",
    "工业和信息化部",
    "国家民族事务委员会",
    "公安部",
    "民政部",
    "司法部",
    "财政部",
    "人力资源和社会保障部",
    "自然资源部",
    "生态环境部",
    "住房和城乡建设部",
    "交通运输部",
    "水利部",
    "农业农村部",
    "商务部",
    "文化和旅游部",
    "国家卫生健康委员会",
    "退役军人事务部",
    "应急管理部",
    "中国人民银行",
    "审计署",
    "国务院国有资产监督管理委员会",
    "海关总署",
    "国家税务总局",
    "国家市场监督管理总局",
    "国家金融监督管理总局",
    "中国证券监督管理委员会",
    "国家广播电视总局",
    "国家体育总局",
    "国家信访局",
    "国家统计局",
    "国家知识产权局",
    "国家医疗保障局",
    "国家粮食和物资储备局",
    "国家能源局",
    "国家数据局",
    "国家国防科技工业局",
    "国家烟草专卖局",
    "国家移民管理局",
    "国家林业和草原局",
    "国家铁路局",
    "中国民用航空局",
    "国家邮政局",
    "国家文物局",
    "国家中医药管理局",
    "国家疾病预防控制局",
    "国家矿山安全监察局",
    "国家外汇管理局",
    "国家药品监督管理局",
]


@dataclass(frozen=True)
class ProvinceData:
    short: str  # the govcases.enums.Province value
    name: str  # official name
    capital: str
    prefectures: str  # the other prefecture-level units, separated by spaces


PROVINCES = [
    ProvinceData(
        "河北",
        "河北省",
        "石家庄市",
        "唐山市 秦皇岛市 邯郸市 邢台市 保定市 张家口市 承德市 沧州市 廊坊市 衡水市",
    ),
    ProvinceData(
        "山西", "山西省", "太原市", "大同市 阳泉市 长治市 晋城市 朔州市 晋中市 运城市 忻州市 临汾市 吕梁市"
    ),
    ProvinceData(
        "内蒙古",
        "内蒙古自治区",
        "呼和浩特市",
        "包头市 乌海市 赤峰市 通辽市 鄂尔多斯市 呼伦贝尔市 巴彦淖尔市 乌兰察布市 兴安盟 锡林郭勒盟 阿拉善盟",
    ),
    ProvinceData(
        "辽宁",
        "辽宁省",
        "沈阳市",
        "鞍山市 抚顺市 本溪市 丹东市 锦州市 营口市 阜新市 辽阳市 盘锦市 铁岭市 朝阳市 葫芦岛市",
    ),
    ProvinceData(
        "吉林", "吉林省", "长春市", "吉林市 四平市 辽源市 通化市 白山市 松原市 白城市 延边朝鲜族自治州"
    ),
    ProvinceData(
        "黑龙江",
        "黑龙江省",
        "哈尔滨市",
        "齐齐哈尔市 鸡西市 鹤岗市 双鸭山市 大庆市 伊春市 佳木斯市 七台河市 牡丹江市 黑河市 绥化市 大兴安岭地区",
    ),
    ProvinceData(
        "江苏",
        "江苏省",
        "南京市",
        "无锡市 徐州市 常州市 苏州市 南通市 连云港市 淮安市 盐城市 扬州市 镇江市 泰州市 宿迁市",
    ),
    ProvinceData(
        "浙江", "浙江省", "杭州市", "温州市 嘉兴市 湖州市 绍兴市 金华市 衢州市 舟山市 台州市 丽水市"
    ),
    ProvinceData(
        "安徽",
        "安徽省",
        "合肥市",
        "芜湖市 蚌埠市 淮南市 马鞍山市 淮北市 铜陵市 安庆市 黄山市 滁州市 阜阳市 宿州市 六安市 亳州市 池州市 宣城市",
    ),
    ProvinceData("福建", "福建省", "福州市", "莆田市 三明市 泉州市 漳州市 南平市 龙岩市 宁德市"),
    ProvinceData(
        "江西", "江西省", "南昌市", "景德镇市 萍乡市 九江市 新余市 鹰潭市 赣州市 吉安市 宜春市 抚州市 上饶市"
    ),
    ProvinceData(
        "山东",
        "山东省",
        "济南市",
        "淄博市 枣庄市 东营市 烟台市 潍坊市 济宁市 泰安市 威海市 日照市 临沂市 德州市 聊城市 滨州市 菏泽市",
    ),
    ProvinceData(
        "河南",
        "河南省",
        "郑州市",
        "开封市 洛阳市 平顶山市 安阳市 鹤壁市 新乡市 焦作市 濮阳市 许昌市 漯河市 三门峡市 南阳市 商丘市 信阳市 "
        "周口市 驻马店市",
    ),
    ProvinceData(
        "湖北",
        "湖北省",
        "武汉市",
        "黄石市 十堰市 宜昌市 襄阳市 鄂州市 荆门市 孝感市 荆州市 黄冈市 咸宁市 随州市 恩施土家族苗族自治州",
    ),
    ProvinceData(
        "湖南",
        "湖南省",
        "长沙市",
        "株洲市 湘潭市 衡阳市 邵阳市 岳阳市 常德市 张家界市 益阳市 郴州市 永州市 怀化市 娄底市 "
        "湘西土家族苗族自治州",
    ),
    ProvinceData(
        "广东",
        "广东省",
        "广州市",
        "韶关市 珠海市 汕头市 佛山市 江门市 湛江市 茂名市 肇庆市 惠州市 梅州市 汕尾市 河源市 阳江市 清远市 "
        "东莞市 中山市 潮州市 揭阳市 云浮市",
    ),
    ProvinceData(
        "广西",
        "广西壮族自治区",
        "南宁市",
        "柳州市 桂林市 梧州市 北海市 防城港市 钦州市 贵港市 玉林市 百色市 贺州市 河池市 来宾市 崇左市",
    ),
    ProvinceData("海南", "海南省", "海口市", "三亚市 三沙市 儋州市"),
    ProvinceData(
        "四川",
        "四川省",
        "成都市",
        "自贡市 攀枝花市 泸州市 德阳市 绵阳市 广元市 遂宁市 内江市 乐山市 南充市 眉山市 宜宾市 广安市 达州市 "
        "雅安市 巴中市 资阳市 阿坝藏族羌族自治州 甘孜藏族自治州 凉山彝族自治州",
    ),
    ProvinceData(
        "贵州",
        "贵州省",
        "贵阳市",
        "六盘水市 遵义市 安顺市 毕节市 铜仁市 黔西南布依族苗族自治州 黔东南苗族侗族自治州 黔南布依族苗族自治州",
    ),
    ProvinceData(
        "云南",
        "云南省",
        "昆明市",
        "曲靖市 玉溪市 保山市 昭通市 丽江市 普洱市 临沧市 楚雄彝族自治州 红河哈尼族彝族自治州 "
        "文山壮族苗族自治州 西双版纳傣族自治州 大理白族自治州 德宏傣族景颇族自治州 怒江傈僳族自治州 迪庆藏族自治州",
    ),
    ProvinceData("西藏", "西藏自治区", "拉萨市", "日喀则市 昌都市 林芝市 山南市 那曲市 阿里地区"),
    ProvinceData(
        "陕西", "陕西省", "西安市", "铜川市 宝鸡市 咸阳市 渭南市 延安市 汉中市 榆林市 安康市 商洛市"
    ),
    ProvinceData(
        "甘肃",
        "甘肃省",
        "兰州市",
        "嘉峪关市 金昌市 白银市 天水市 武威市 张掖市 平凉市 酒泉市 庆阳市 定西市 陇南市 临夏回族自治州 甘南藏族自治州",
    ),
    ProvinceData(
        "青海",
        "青海省",
        "西宁市",
        "海东市 海北藏族自治州 黄南藏族自治州 海南藏族自治州 果洛藏族自治州 玉树藏族自治州 海西蒙古族藏族自治州",
    ),
    ProvinceData("宁夏", "宁夏回族自治区", "银川市", "石嘴山市 吴忠市 固原市 中卫市"),
    ProvinceData(
        "新疆",
        "新疆维吾尔自治区",
        "乌鲁木齐市",
        "克拉玛依市 吐鲁番市 哈密市 昌吉回族自治州 博尔塔拉蒙古自治州 巴音郭楞蒙古自治州 阿克苏地区 "
        "克孜勒苏柯尔克孜自治州 喀什地区 和田地区 伊犁哈萨克自治州 塔城地区 阿勒泰地区",
    ),
]

# The Corps is a provincial-level unit with its own short name (govcases.enums.Province.BINGTUAN).
BINGTUAN = ("兵团", "新疆生产建设兵团")

MUNICIPALITIES = {"北京": "北京市", "天津": "天津市", "上海": "上海市", "重庆": "重庆市"}

# Separately listed cities (计划单列市) and the province each belongs to.
SEPARATELY_LISTED = {"大连市": "辽宁", "青岛市": "山东", "宁波市": "浙江", "厦门市": "福建", "深圳市": "广东"}

# Autonomous prefectures as the announcement shortens them (黔南布依族苗族自治州 → 黔南州).
PREFECTURE_SHORT = {
    "延边朝鲜族自治州": "延边州",
    "恩施土家族苗族自治州": "恩施州",
    "湘西土家族苗族自治州": "湘西州",
    "阿坝藏族羌族自治州": "阿坝州",
    "甘孜藏族自治州": "甘孜州",
    "凉山彝族自治州": "凉山州",
    "黔西南布依族苗族自治州": "黔西南州",
    "黔东南苗族侗族自治州": "黔东南州",
    "黔南布依族苗族自治州": "黔南州",
    "楚雄彝族自治州": "楚雄州",
    "红河哈尼族彝族自治州": "红河州",
    "文山壮族苗族自治州": "文山州",
    "西双版纳傣族自治州": "西双版纳州",
    "大理白族自治州": "大理州",
    "德宏傣族景颇族自治州": "德宏州",
    "怒江傈僳族自治州": "怒江州",
    "迪庆藏族自治州": "迪庆州",
    "临夏回族自治州": "临夏州",
    "甘南藏族自治州": "甘南州",
    "海北藏族自治州": "海北州",
    "黄南藏族自治州": "黄南州",
    "海南藏族自治州": "海南州",
    "果洛藏族自治州": "果洛州",
    "玉树藏族自治州": "玉树州",
    "海西蒙古族藏族自治州": "海西州",
    "昌吉回族自治州": "昌吉州",
    "博尔塔拉蒙古自治州": "博州",
    "巴音郭楞蒙古自治州": "巴州",
    "克孜勒苏柯尔克孜自治州": "克州",
    "伊犁哈萨克自治州": "伊犁州",
}

# County-level units of the municipalities and the sub-provincial cities (副省级城市).
DISTRICTS = {
    "北京市": "东城区 西城区 朝阳区 丰台区 石景山区 海淀区 门头沟区 房山区 通州区 顺义区 昌平区 大兴区 怀柔区 "
    "平谷区 密云区 延庆区",
    "天津市": "和平区 河东区 河西区 南开区 河北区 红桥区 东丽区 西青区 津南区 北辰区 武清区 宝坻区 滨海新区 "
    "宁河区 静海区 蓟州区",
    "上海市": "黄浦区 徐汇区 长宁区 静安区 普陀区 虹口区 杨浦区 闵行区 宝山区 嘉定区 浦东新区 金山区 松江区 "
    "青浦区 奉贤区 崇明区",
    "重庆市": "万州区 涪陵区 渝中区 大渡口区 江北区 沙坪坝区 九龙坡区 南岸区 北碚区 綦江区 大足区 渝北区 巴南区 "
    "黔江区 长寿区 江津区 合川区 永川区 南川区 璧山区 铜梁区 潼南区 荣昌区 开州区 梁平区 武隆区 城口县 丰都县 "
    "垫江县 忠县 云阳县 奉节县 巫山县 巫溪县 石柱土家族自治县 秀山土家族苗族自治县 酉阳土家族苗族自治县 "
    "彭水苗族土家族自治县",
    "广州市": "荔湾区 越秀区 海珠区 天河区 白云区 黄埔区 番禺区 花都区 南沙区 从化区 增城区",
    "深圳市": "罗湖区 福田区 南山区 宝安区 龙岗区 盐田区 龙华区 坪山区 光明区 大鹏新区",
    "南京市": "玄武区 秦淮区 建邺区 鼓楼区 浦口区 栖霞区 雨花台区 江宁区 六合区 溧水区 高淳区",
    "杭州市": "上城区 拱墅区 西湖区 滨江区 萧山区 余杭区 临平区 钱塘区 富阳区 临安区 桐庐县 淳安县 建德市",
    "济南市": "历下区 市中区 槐荫区 天桥区 历城区 长清区 章丘区 济阳区 莱芜区 钢城区 平阴县 商河县",
    "青岛市": "市南区 市北区 黄岛区 崂山区 李沧区 城阳区 即墨区 胶州市 平度市 莱西市",
    "厦门市": "思明区 海沧区 湖里区 集美区 同安区 翔安区",
    "大连市": "中山区 西岗区 沙河口区 甘井子区 旅顺口区 金州区 普兰店区 瓦房店市 庄河市 长海县",
    "宁波市": "海曙区 江北区 北仑区 镇海区 鄞州区 奉化区 余姚市 慈溪市 象山县 宁海县",
    "沈阳市": "和平区 沈河区 大东区 皇姑区 铁西区 苏家屯区 浑南区 沈北新区 于洪区 辽中区 新民市 康平县 法库县",
    "长春市": "南关区 宽城区 朝阳区 二道区 绿园区 双阳区 九台区 榆树市 德惠市 公主岭市 农安县",
    "哈尔滨市": "道里区 南岗区 道外区 平房区 松北区 香坊区 呼兰区 阿城区 双城区 依兰县 方正县 宾县 巴彦县 "
    "木兰县 通河县 延寿县 尚志市 五常市",
    "武汉市": "江岸区 江汉区 硚口区 汉阳区 武昌区 青山区 洪山区 东西湖区 汉南区 蔡甸区 江夏区 黄陂区 新洲区",
    "成都市": "锦江区 青羊区 金牛区 武侯区 成华区 龙泉驿区 青白江区 新都区 温江区 双流区 郫都区 新津区 金堂县 "
    "大邑县 蒲江县 都江堰市 彭州市 邛崃市 崇州市 简阳市",
    "西安市": "新城区 碑林区 莲湖区 灞桥区 未央区 雁塔区 阎良区 临潼区 长安区 高陵区 鄠邑区 蓝田县 周至县",
}


@dataclass(frozen=True)
class AgencySpec:
    name: str
    display_name: str
    level: str
    province: str = ""
    parent: str = ""  # the parent's official name


def city_short(name: str) -> str:
    """深圳市 → 深圳: the prefix the announcement puts before a district's name."""
    return name.removesuffix("市")


def _province_display(data: ProvinceData) -> str:
    # Provinces keep 省 (山东省); autonomous regions are printed by their short name (内蒙古, 广西).
    return data.name if data.name.endswith("省") else data.short


def agency_specs() -> list[AgencySpec]:
    """All 685 agencies, parents before their children."""
    specs = [AgencySpec(name, name, Level.MINISTRY) for name in MINISTRIES]
    specs.append(
        AgencySpec(GUANGDONG_TAX_BRANCH, GUANGDONG_TAX_BRANCH, Level.MINISTRY, "广东", "国家税务总局")
    )
    province_of_city = {}
    for data in PROVINCES:
        specs.append(AgencySpec(data.name, _province_display(data), Level.PROVINCE, data.short))
    specs.append(AgencySpec(BINGTUAN[1], BINGTUAN[1], Level.PROVINCE, BINGTUAN[0]))
    for short, name in MUNICIPALITIES.items():
        specs.append(AgencySpec(name, name, Level.MUNICIPALITY, short))
        province_of_city[name] = short
    province_names = {data.short: data.name for data in PROVINCES}
    for name, short in SEPARATELY_LISTED.items():
        specs.append(AgencySpec(name, name, Level.SEPARATELY_LISTED_CITY, short, province_names[short]))
        province_of_city[name] = short
    for data in PROVINCES:
        specs.append(AgencySpec(data.capital, data.capital, Level.PROVINCIAL_CAPITAL, data.short, data.name))
        province_of_city[data.capital] = data.short
    for data in PROVINCES:
        for name in data.prefectures.split():
            display = PREFECTURE_SHORT.get(name, name)
            specs.append(AgencySpec(name, display, Level.PREFECTURE, data.short, data.name))
    for city, districts in DISTRICTS.items():
        for district in districts.split():
            specs.append(
                AgencySpec(
                    f"{city}{district}",
                    f"{city_short(city)}{district}",
                    Level.DISTRICT,
                    province_of_city[city],
                    city,
                )
            )
    return specs
