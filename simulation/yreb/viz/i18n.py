"""The words of the comparison report and its plots, in English and (``chinese``) Chinese: titles, axes,
legends, table headers, outcome names and units. Region names come from the region table (``region_zh``).

``Words(chinese).t(key, **values)`` gives one text; a key missing from the Chinese table falls back to the
English text (tests/test_report.py checks that every key has both).
"""

from __future__ import annotations

from dataclasses import dataclass

from yreb.analysis.compare import OUTCOME_LABELS
from yreb.analysis.metrics import BELT, NATION, OUTSIDE

EN = {
    "title": "Scenario comparison: {scenarios} vs {baseline}",
    "summary": "Summary",
    "summary_note": (
        "Effects in {year} (scenario minus baseline, mean of {n} replication pairs with the same seeds). In "
        "brackets: the 90% seed interval, the sampling noise of {n} replications; it is not the uncertainty of "
        "the model (see 'How sure')."
    ),
    "sentence_moved": (
        "By {year}, {scenario} changes national real GDP by {nation} and the belt's by {belt}; "
        "the rest of China's changes by {rest}, so {moved:.0%} of the belt's gain is moved, not created. "
        "National welfare (equivalent variation): {welfare}."
    ),
    "sentence": (
        "By {year}, {scenario} changes national real GDP by {nation}, the belt's by {belt} and the rest of "
        "China's by {rest}. National welfare (equivalent variation): {welfare}."
    ),
    "role_headline": "",
    "role_gain": "largest gain",
    "role_loss": "largest loss",
    "col_region": "Region",
    "col_gdp_pct": "Real GDP, %",
    "col_gdp_abs": "Real GDP, 100m yuan (2015 prices)",
    "col_income_pct": "Real income per resident, %",
    "col_income_abs": "Real income per resident, yuan (2015 prices)",
    "col_welfare_pct": "Welfare (EV), %",
    "where": "Where the effect comes from",
    "where_note": (
        "Each component of the scenario simulated alone (same seeds and years), as a difference from the "
        "baseline; interaction = total effect minus the sum of the parts (positive: the components do more "
        "together than apart). Parts + interaction = total."
    ),
    "where_missing": "Not computed: run the comparison with {decompose} to decompose each effect by channel.",
    "large_moves": "Real GDP moves by more than {limit}% in {year} in: {items}.",
    "large_channel": "(mostly {component}, channel {channel}: {pct} alone)",
    "large_moves_decompose": "Run the comparison with {decompose} to see which channel moves each of them.",
    "col_component": "Component",
    "col_channel": "Channel",
    "how_sure": "How sure",
    "tornado_note": (
        "Effect in {year} when one unpinned assumption (a parameter whose basis is 'assumption', "
        "docs/MODEL.md 7.11) is set to the low or the high end of its documented range in the scenario and the "
        "baseline alike; the others stay at their values. Line: the effect at the defaults."
    ),
    "tornado_missing": (
        "The effect over the range of the unpinned assumptions was not computed: run the comparison with {sensitivity}."
    ),
    "seed_note": (
        "Seed interval: the 90% t-interval of the mean over {n} replication pairs. It is the sampling noise of "
        "running a finite number of replications (it narrows with more replications) and says nothing about "
        "whether the model's assumptions are right; the effect over the assumptions' ranges is the guide to that."
    ),
    "carbon": "Energy and carbon",
    "carbon_note": (
        "CO2 in {year} (CEADs scope 1: fossil fuels and cement), scenario minus baseline, mean of the replication "
        "pairs. Emissions are intensity x real value added by sector plus households per resident; intensities are "
        "observed to 2019 and follow a damped trend after it (docs/MODEL.md 7.13). 'National' is the 30 provinces "
        "CEADs covers (no Tibet)."
    ),
    "carbon_share": "Belt share of national CO2 in {year}: baseline {baseline}, scenario {scenario}.",
    "cap_carbon": "CO2 by region: scenario minus baseline in % of the baseline.",
    "col_co2_base": "CO2, baseline (Mt)",
    "col_co2_change": "CO2 change (Mt)",
    "col_co2_pct": "CO2 change, %",
    "col_intensity_base": "CO2 per 10,000 yuan, baseline (t)",
    "col_intensity_pct": "CO2 per 10,000 yuan, change %",
    "detail": "Detail",
    "method": "Method and provenance",
    "warnings": "Warnings",
    "scenarios": "Scenarios",
    "effects_table": "Effects in {year} (all outcomes; also effects.csv, effects.md)",
    "concepts": "GDP by location and by statistical attribution, and income of residents, {year}",
    "more_figures": "More figures (levels, absolute differences, other outcomes)",
    "metadata": "Metadata of each run",
    "col_outcome": "Outcome",
    "col_unit": "Unit",
    "col_baseline": "Baseline",
    "col_scenario": "Scenario",
    "col_effect": "Effect",
    "col_interval": "90% seed interval",
    "col_pct": "% of baseline",
    "col_low": "Effect at low end",
    "col_high": "Effect at high end",
    "col_default": "Effect at defaults",
    "col_parameter": "Assumption (range)",
    "col_swing": "Swing",
    "col_description": "Description",
    "col_replications": "Replications",
    "col_pairs": "Pairs with baseline",
    "col_policies": "Policies",
    "col_seed": "Root seed",
    "col_years": "Years",
    "col_folder": "Folder",
    "baseline_tag": " (baseline)",
    "concept_scenario": "Scenario",
    "concept_region": "Region",
    "concept_gdp_100m_yuan": "Real GDP by location",
    "concept_gdp_attributed_100m_yuan": "Real GDP by attribution",
    "concept_gdp_nominal_100m_yuan": "Nominal GDP",
    "concept_income_100m_yuan": "Income of residents (current prices)",
    "concept_attributed_minus_location_100m_yuan": "Attribution minus location",
    "concept_income_minus_nominal_gdp_100m_yuan": "Income minus nominal GDP",
    # plots
    "cap_headline": "Nation, belt and rest of China: scenario minus baseline in % of the baseline, paired by seed.",
    "cap_regions": "Real GDP by region: scenario minus baseline in % of the baseline (absolute: more figures).",
    "cap_map": (
        "Map: {scenario} minus {baseline}. Arrows point from a to b where the scenario moves more net talent or "
        "capital from a to b than the baseline."
    ),
    "cap_inequality": (
        "Inequality across the belt's regions (RestOfChina excluded), beta convergence since the start year, "
        "talent concentration and the belt's share of national GDP."
    ),
    "cap_levels": "Levels per scenario: median and 5-95% of the replications.",
    "diff_belt_title": "Difference from the baseline, nation, belt and rest of China: {vs}",
    "diff_region_title": "Difference from the baseline by region: {outcome} ({vs})",
    "diff_region_pct_title": "Difference from the baseline by region, % of baseline: {outcome} ({vs})",
    "levels_title": "Levels, nation, belt and rest of China, per scenario",
    "inequality_title": "Inequality, convergence and concentration in the belt, per scenario",
    "diff_legend": (
        "line: mean of {n} paired differences (scenario - baseline, same seeds); band: 90% seed interval; "
        "dashed: no effect"
    ),
    "level_legend": "line: median of {n} replications; band: 5%-95% of the replications",
    "difference": "difference, ",
    "difference_pct": "difference, % of baseline",
    "year": "year",
    "chart_scenario": "scenario",
    "chart_line": "line",
    "chart_band_low": "band, low",
    "chart_band_high": "band, high",
    "more_figures_note": (
        "Drawn by your browser from the numbers in this file (hover for values; the ... menu of a chart saves it as "
        "PNG or SVG). With {more_figures} they are also written as image files."
    ),
    "decomp_title": "{scenario} vs {baseline}: where the effect in {year} comes from",
    "decomp_axis": "effect, % of baseline",
    "interaction": "interaction",
    "total": "total",
    "tornado_title": "{scenario} vs {baseline}: effect in {year} over the range of each unpinned assumption",
    "tornado_axis": "effect, % of baseline",
    "tornado_low": "low end of the range",
    "tornado_high": "high end of the range",
    "tornado_default": "effect at the defaults",
    "tornado_seed": "90% seed interval at the defaults",
    "map_title": (
        "{scenario} vs {baseline}: {outcome} in {year} (colour) and change in cumulative net flows {start}-{year} "
        "among belt regions (arrows)"
    ),
    "map_colour": "change in {outcome}, % of baseline ({year}, mean of pairs)",
    "map_band": "no material change: |change| < {band:g}%",
    "map_arrows": "arrows: changes in net {factor} flow above {threshold}",
    "map_no_arrows": "no change in net {factor} flow above {threshold}",
    "map_panel": "net {factor} flows",
    "map_largest": "largest: {value} {unit}",
    "lon": "longitude, degrees E",
    "lat": "latitude, degrees N",
    "talent": "talent",
    "capital": "capital",
    "labour": "labour",
    "goods": "goods",
    "technology": "technology",
    "settlement": "registration",
    NATION: "Nation",
    BELT: "Belt ({n} regions)",
    OUTSIDE: "Outside the belt",
    "RestOfChina": "Rest of China",
}

ZH = {
    "title": "情景比较：{scenarios} 对比 {baseline}",
    "summary": "摘要",
    "summary_note": (
        "{year}年的效应（情景减基准，{n}对相同随机种子的重复模拟的均值）。括号内为90%种子区间，即{n}次重复的抽样噪声，"
        "并非模型的不确定性（见“可信程度”）。"
    ),
    "sentence_moved": (
        "到{year}年，{scenario}使全国实际GDP变化{nation}，长江经济带变化{belt}；经济带增量中有{moved:.0%}"
        "由中国其他地区转移而来（中国其他地区变化{rest}），其余为新增。全国福利（等价变化）：{welfare}。"
    ),
    "sentence": (
        "到{year}年，{scenario}使全国实际GDP变化{nation}，长江经济带变化{belt}，中国其他地区变化{rest}。"
        "全国福利（等价变化）：{welfare}。"
    ),
    "role_headline": "",
    "role_gain": "最大增幅",
    "role_loss": "最大降幅",
    "col_region": "地区",
    "col_gdp_pct": "实际GDP，%",
    "col_gdp_abs": "实际GDP，亿元（2015年价格）",
    "col_income_pct": "人均实际收入，%",
    "col_income_abs": "人均实际收入，元（2015年价格）",
    "col_welfare_pct": "福利（等价变化），%",
    "where": "效应来自何处",
    "where_note": (
        "情景的每个组成部分单独模拟（相同种子与年份），与基准相减；交互作用 = 总效应减去各部分之和"
        "（为正：各部分合起来比单独作用更大）。各部分 + 交互作用 = 总效应。"
    ),
    "where_missing": "未计算：使用 {decompose} 运行比较，以按渠道分解每个效应。",
    "large_moves": "{year}年实际GDP变动超过{limit}%的地区：{items}。",
    "large_channel": "（主要来自{component}，渠道{channel}：单独作用{pct}）",
    "large_moves_decompose": "使用 {decompose} 运行比较，可查看推动各地区变动的渠道。",
    "col_component": "组成部分",
    "col_channel": "渠道",
    "how_sure": "可信程度",
    "tornado_note": (
        "将一个未确定的假设（依据为“假设”的参数，见 docs/MODEL.md 7.11）在情景与基准中同时设为其文献范围的下限或上限时"
        "{year}年的效应；其他参数保持不变。竖线：默认参数下的效应。"
    ),
    "tornado_missing": "未计算效应在未确定假设范围内的变化：使用 {sensitivity} 运行比较。",
    "seed_note": (
        "种子区间：{n}对重复模拟均值的90% t区间。它是有限次重复模拟的抽样噪声（重复越多越窄），"
        "并不说明模型假设是否正确；效应在各假设范围内的变化才说明这一点。"
    ),
    "carbon": "能源与碳排放",
    "carbon_note": (
        "{year}年二氧化碳排放（CEADs范围一：化石燃料与水泥），情景减基准，同种子重复对的均值。排放 = 分部门排放强度 x "
        "实际增加值，加上按常住人口计的居民排放；强度2019年前为观测值，之后按阻尼趋势外推（docs/MODEL.md 7.13）。"
        "“全国”为CEADs覆盖的30个省份（不含西藏）。"
    ),
    "carbon_share": "{year}年长江经济带占全国二氧化碳排放的份额：基准 {baseline}，情景 {scenario}。",
    "cap_carbon": "分地区二氧化碳排放：情景减基准，占基准的%。",
    "col_co2_base": "二氧化碳排放，基准（百万吨）",
    "col_co2_change": "二氧化碳排放变化（百万吨）",
    "col_co2_pct": "二氧化碳排放变化，%",
    "col_intensity_base": "每万元GDP二氧化碳排放，基准（吨）",
    "col_intensity_pct": "每万元GDP二氧化碳排放变化，%",
    "detail": "详细结果",
    "method": "方法与来源",
    "warnings": "警告",
    "scenarios": "情景",
    "effects_table": "{year}年的效应（全部指标；另见 effects.csv、effects.md）",
    "concepts": "{year}年按地点与按统计归属的GDP及居民收入",
    "more_figures": "更多图表（水平值、绝对差异、其他指标）",
    "metadata": "各次运行的元数据",
    "col_outcome": "指标",
    "col_unit": "单位",
    "col_baseline": "基准",
    "col_scenario": "情景",
    "col_effect": "效应",
    "col_interval": "90%种子区间",
    "col_pct": "占基准的%",
    "col_low": "下限处的效应",
    "col_high": "上限处的效应",
    "col_default": "默认值下的效应",
    "col_parameter": "假设（范围）",
    "col_swing": "摆幅",
    "col_description": "说明",
    "col_replications": "重复次数",
    "col_pairs": "与基准配对数",
    "col_policies": "政策",
    "col_seed": "根种子",
    "col_years": "年份",
    "col_folder": "文件夹",
    "baseline_tag": "（基准）",
    "concept_scenario": "情景",
    "concept_region": "地区",
    "concept_gdp_100m_yuan": "按地点的实际GDP",
    "concept_gdp_attributed_100m_yuan": "按统计归属的实际GDP",
    "concept_gdp_nominal_100m_yuan": "名义GDP",
    "concept_income_100m_yuan": "居民收入（当年价格）",
    "concept_attributed_minus_location_100m_yuan": "归属减地点",
    "concept_income_minus_nominal_gdp_100m_yuan": "收入减名义GDP",
    "cap_headline": "全国、长江经济带与中国其他地区：情景减基准，占基准的%，按种子配对。",
    "cap_regions": "分地区实际GDP：情景减基准，占基准的%（绝对值见更多图表）。",
    "cap_map": "地图：{scenario} 减 {baseline}。箭头由a指向b，表示情景中由a流向b的人才或资本净流动多于基准。",
    "cap_inequality": (
        "经济带各地区间的不平等（不含中国其他地区）、起始年以来的β收敛、人才集中度及经济带占全国GDP的份额。"
    ),
    "cap_levels": "各情景的水平值：重复模拟的中位数与5%-95%。",
    "diff_belt_title": "与基准的差异，全国、长江经济带与中国其他地区：{vs}",
    "diff_region_title": "与基准的差异（分地区）：{outcome}（{vs}）",
    "diff_region_pct_title": "与基准的差异（分地区，占基准的%）：{outcome}（{vs}）",
    "levels_title": "全国、长江经济带与中国其他地区的水平值（分情景）",
    "inequality_title": "长江经济带内的不平等、收敛与集中度（分情景）",
    "diff_legend": "线：{n}对配对差异的均值（情景减基准，相同种子）；带：90%种子区间；虚线：无效应",
    "level_legend": "线：{n}次重复的中位数；带：重复模拟的5%-95%",
    "difference": "差异，",
    "difference_pct": "差异，占基准的%",
    "year": "年份",
    "chart_scenario": "情景",
    "chart_line": "线",
    "chart_band_low": "带，下限",
    "chart_band_high": "带，上限",
    "more_figures_note": (
        "由浏览器根据本文件中的数据绘制（鼠标悬停显示数值；图表的 ... 菜单可保存为 PNG 或 SVG）。"
        "使用 {more_figures} 时也会写出图像文件。"
    ),
    "decomp_title": "{scenario} 对比 {baseline}：{year}年效应的来源",
    "decomp_axis": "效应，占基准的%",
    "interaction": "交互作用",
    "total": "总效应",
    "tornado_title": "{scenario} 对比 {baseline}：各未确定假设范围内{year}年的效应",
    "tornado_axis": "效应，占基准的%",
    "tornado_low": "范围下限",
    "tornado_high": "范围上限",
    "tornado_default": "默认值下的效应",
    "tornado_seed": "默认值下的90%种子区间",
    "map_title": (
        "{scenario} 对比 {baseline}：{year}年{outcome}（颜色）与{start}-{year}年经济带内累计净流动的变化（箭头）"
    ),
    "map_colour": "{outcome}的变化，占基准的%（{year}年，配对均值）",
    "map_band": "无实质变化：|变化| < {band:g}%",
    "map_arrows": "箭头：{factor}净流动变化超过 {threshold}",
    "map_no_arrows": "{factor}净流动无超过 {threshold} 的变化",
    "map_panel": "{factor}净流动",
    "map_largest": "最大：{value} {unit}",
    "lon": "经度（东经，度）",
    "lat": "纬度（北纬，度）",
    "talent": "人才",
    "capital": "资本",
    "labour": "劳动力",
    "goods": "商品",
    "technology": "技术",
    "settlement": "户籍",
    NATION: "全国",
    BELT: "长江经济带（{n}个地区）",
    OUTSIDE: "经济带以外",
    "RestOfChina": "中国其他地区",
}

OUTCOMES_ZH = {
    "gdp_100m_yuan": "实际GDP",
    "gdp_per_capita_yuan": "人均实际GDP",
    "real_income_per_capita_yuan": "人均实际收入",
    "welfare_yuan": "福利（期望效用，实际收入）",
    "population_persons": "常住人口",
    "talent_persons": "常住人才（研发人员）",
    "capital_installed_100m_yuan": "已安装资本",
    "belt_share_national_gdp": "长江经济带占全国GDP的份额",
    "theil_t_total": "人均GDP的泰尔T指数（GDP加权）",
    "theil_t_between": "泰尔T指数：区域间",
    "theil_t_within": "泰尔T指数：区域内",
    "theil_l_total": "人均GDP的泰尔L指数（人口加权）",
    "theil_l_between": "泰尔L指数：区域间",
    "theil_l_within": "泰尔L指数：区域内",
    "cv_gdp_per_capita": "人均GDP的变异系数",
    "williamson_cv_gdp_per_capita": "人均GDP的威廉姆森变异系数",
    "beta_convergence_per_year": "起始年以来的β收敛速度",
    "talent_herfindahl": "人才集中度（人才份额的赫芬达尔指数）",
    "talent_top3_share": "前三地区的人才份额",
    "co2_Mt": "二氧化碳排放",
    "co2_per_10k_yuan_gdp": "每万元GDP二氧化碳排放",
    "belt_share_national_co2": "长江经济带占全国二氧化碳排放的份额",
}
UNITS_ZH = {
    "100m yuan (2015 prices)": "亿元（2015年价格）",
    "100m yuan (current prices)": "亿元（当年价格）",
    "yuan per resident (2015 prices)": "元/常住人口（2015年价格）",
    "yuan per person (2015 prices)": "元/人（2015年价格）",
    "persons": "人",
    "persons/year": "人/年",
    "fraction of belt + rest-of-China GDP": "占经济带与中国其他地区GDP之和的比例",
    "Theil index, 0 = equal": "泰尔指数，0 = 完全平等",
    "std / mean, unweighted": "标准差/均值，不加权",
    "population-weighted std / mean": "人口加权标准差/均值",
    "fraction of gap closed per year": "每年缩小的差距比例",
    "index, 1/regions = even": "指数，1/地区数 = 均匀",
    "fraction of belt talent": "占经济带人才的比例",
    "Mt CO2/year": "百万吨二氧化碳/年",
    "t CO2 per 10,000 yuan (2015 prices)": "吨二氧化碳/万元（2015年价格）",
}


@dataclass(frozen=True)
class Words:
    """The report's words in one language (English, or Chinese with ``chinese``)."""

    chinese: bool = False

    def t(self, key: str, **values) -> str:
        """The text of ``key`` with ``values`` filled in."""
        table = ZH if self.chinese else EN
        return table.get(key, EN[key]).format(**values)

    def outcome(self, name: str) -> str:
        """Display name of an outcome (model variable or belt metric)."""
        if self.chinese and name in OUTCOMES_ZH:
            return OUTCOMES_ZH[name]
        return OUTCOME_LABELS.get(name, name)

    def unit(self, unit: str) -> str:
        """A unit in this language (units without a translation are kept)."""
        return UNITS_ZH.get(unit, unit) if self.chinese else unit

    def channel(self, name: str) -> str:
        """A channel (barrier factor, settlement, interaction, total) or policy type in this language."""
        table = ZH if self.chinese else EN
        return table.get(name, name)


ENGLISH = Words()
CHINESE = Words(chinese=True)
