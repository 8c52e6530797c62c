/**
 * Traditional characters (繁體) as reposts of mainland plans, Hong Kong and Taiwan pages write them, mapped to
 * simplified ones before extraction. One character for one, each a single UTF-16 unit, so offsets into the
 * result are offsets into the input and quotes are cut from the text as given. The table covers the
 * 575 characters of planning vocabulary, units and place names that differ; characters whose simplified form
 * depends on the word (乾, 著, 髮) are left alone; Japanese forms seen in reposts (産, 経, 発) are mapped too. 計畫/規畫 read as 计划/规划 (畫 → 划), as plans mean them.
 */

const TRADITIONAL =
  '億萬達產業發區縣實現務標進與為數個項規劃國際經濟環農銷額點總長設備製創辦級優傳統體費稅營資權專術應屬開園門們來時間從後對' +
  '將會機構當動態質價場準確續計畫錄書記報雲電網絡車輛學員醫療養險無約過還這邊遠選運遊適連週義東陸處鄉鎮貨貿貸買賣盤積稱穩籌' +
  '節範糧紀純組細終給結綜綠維緊線練績織繼聯職聽腦舉興華葉蘇衛補複見視覽觀訂認討訓許診評試詳語說調請論諮講證識護讓財貢責購賽' +
  '贏趨跡踐軌軟較載輔輸轉遞違遺鄰釋針鋼錢鐵鏈閉閱關陽隊階隨隱雙雜離難靜頁順預領頻題願類顯風飛館馬驗鬥魚鳥齊齡龍佈併倉倫偉側' +
  '傷僅儀兒內兩冊淨減則剛劑勞勢勵協單壓廠廣參變臺號問啟嚴圍圖團執堅塊壞壯夠夢獎婦寶寧審導尋屆層島嶺幣幫帶師廢廳張強彈徹戰戶' +
  '擁擇擊擔據擴攜敗斷於晉暢歷條檢極樓樂樣樞橋歡歲歸殘氣漢決況沒測溫滿濕灣災煙熱燈爭狀獨獲獻畢畝盡監礎碼禮種窮競筆築簡紅紙紛' +
  '紡紹綱綿緒締編緩縮繞繳繪罰聖聞聲脅膽臨舊艱莊藥虧蟲衝裝襲覺親託訊訪訴詞詢誠誤課談諾謀謝譯議讀貝負貫貧販貴貼賀賴贊趕躍軍輕' +
  '輪輯辭遷鈔銀鋪錯鍵鎖閒閘閣闊陝陣陳陰雖雞韓響頂須頓頭顧飲駐驅鬆鮮麥黃黨噸隻餘裡裏佔並蹟徵幹廈臉濱灘樁壩閩贛滬粵瀋遼鐘錶頃' +
  '鍋廂賬帳戲劇衆眾峽濤詮鄭麗瀏寬僑漁穫墾殯氫鋰礦煉鍊紗綢鞏擬軸鏡銳鑽鑄鋁銅艙艦鐳饋蓋壽奮歐鹽彙匯墊縱橫兌釐搶輿夥濾漿綫麼邁' +
  '躋樹藝錦繡擺臟揮鑑鑒濫燒爐異譜儲絲隸齒顆濃滲闢産鉄従経対済関発県総転広';

const SIMPLIFIED =
  '亿万达产业发区县实现务标进与为数个项规划国际经济环农销额点总长设备制创办级优传统体费税营资权专术应属开园门们来时间从后对' +
  '将会机构当动态质价场准确续计划录书记报云电网络车辆学员医疗养险无约过还这边远选运游适连周义东陆处乡镇货贸贷买卖盘积称稳筹' +
  '节范粮纪纯组细终给结综绿维紧线练绩织继联职听脑举兴华叶苏卫补复见视览观订认讨训许诊评试详语说调请论咨讲证识护让财贡责购赛' +
  '赢趋迹践轨软较载辅输转递违遗邻释针钢钱铁链闭阅关阳队阶随隐双杂离难静页顺预领频题愿类显风飞馆马验斗鱼鸟齐龄龙布并仓伦伟侧' +
  '伤仅仪儿内两册净减则刚剂劳势励协单压厂广参变台号问启严围图团执坚块坏壮够梦奖妇宝宁审导寻届层岛岭币帮带师废厅张强弹彻战户' +
  '拥择击担据扩携败断于晋畅历条检极楼乐样枢桥欢岁归残气汉决况没测温满湿湾灾烟热灯争状独获献毕亩尽监础码礼种穷竞笔筑简红纸纷' +
  '纺绍纲绵绪缔编缓缩绕缴绘罚圣闻声胁胆临旧艰庄药亏虫冲装袭觉亲托讯访诉词询诚误课谈诺谋谢译议读贝负贯贫贩贵贴贺赖赞赶跃军轻' +
  '轮辑辞迁钞银铺错键锁闲闸阁阔陕阵陈阴虽鸡韩响顶须顿头顾饮驻驱松鲜麦黄党吨只余里里占并迹征干厦脸滨滩桩坝闽赣沪粤沈辽钟表顷' +
  '锅厢账账戏剧众众峡涛诠郑丽浏宽侨渔获垦殡氢锂矿炼炼纱绸巩拟轴镜锐钻铸铝铜舱舰镭馈盖寿奋欧盐汇汇垫纵横兑厘抢舆伙滤浆线么迈' +
  '跻树艺锦绣摆脏挥鉴鉴滥烧炉异谱储丝隶齿颗浓渗辟产铁从经对济关发县总转广';

const MAP: ReadonlyMap<string, string> = new Map([...TRADITIONAL].map((c, i) => [c, SIMPLIFIED[i]]));
const ANY = new RegExp(`[${TRADITIONAL}]`, 'gu');

/** The number of characters the table maps. */
export const TRADITIONAL_COUNT = MAP.size;

/** 到2025年，營業收入達到5,000億元 → 到2025年，营业收入达到5,000亿元 (same length, same offsets). */
export function toSimplified(text: string): string {
  return text.replace(ANY, (c) => MAP.get(c) ?? c);
}

/** Both halves of the table, for its test. */
export const TRADITIONAL_TABLE = { traditional: TRADITIONAL, simplified: SIMPLIFIED };
