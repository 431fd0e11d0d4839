// Server error codes as people read them. One map for every page; the keys are the
// protocol's codes (realtime/protocol/errors.py ERROR_CODES) and a test fails when a code
// is missing here. The server's own message (English, for logs and developers) is shown
// only when the page is not in Chinese or the code is unknown.
export const ERROR_MESSAGES = {
  bad_json: "消息格式错误，请刷新页面后重试。",
  frame_too_large: "消息过大，未被接受。",
  binary_not_supported: "不支持二进制消息。",
  unknown_type: "服务器不认识这个操作，请刷新页面。",
  invalid: "输入的内容不完整或不正确。",
  unsupported_version: "页面版本过旧，请刷新页面。",
  rate_limited: "操作过于频繁，请稍候再试。",
  forbidden: "您在本次会议中的角色不能进行此操作。",
  key_reused: "重复的操作标识，请刷新页面后重试。",
  not_found: "要找的内容在本次会议中不存在。",
  not_on_roster: "该人员不在本次会议的名单中。",
  not_checked_in: "尚未签到。",
  sitting_ended: "本次会议已结束。",
  no_such_item: "该方向上没有议程项。",
  bad_order: "调整顺序时必须列出全部议程项，且每项一次。",
  already_in_group: "该委员已在另一个审议小组中。",
  wrong_term: "所选内容属于不同的届次。",
  not_component_member: "只有组成人员才能参加分组、表决和发言。",
  conflict: "他人同时修改了此内容，请刷新后重试。",
  try_again: "服务器暂时无法完成操作（数据库不可用），未作任何更改，请再试一次。",
  internal_error: "服务器出错，未作任何更改；错误已记录。",
  not_logged_in: "请先登录。",
  recalled: "该文件已撤回，不能再阅读。",
  not_distributed: "该文件尚未分发。",
  no_document_open: "当前没有正在演示的文件，请先打开一个。",
  no_such_page: "页码超出文件范围。",
  not_ready: "该页正在生成，请稍候再试。",
  confidential_no_download: "机密文件只能在线阅读带水印的页面，不能下载。",
  nothing_to_distribute: "没有待分发的草稿文件。",
  nothing_to_recall: "没有可撤回的已分发文件。",
  not_pdf: "上传被拒绝：该文件不是 PDF。",
  pdf_corrupt: "上传被拒绝：PDF 文件已损坏。",
  pdf_truncated: "上传被拒绝：PDF 文件不完整。",
  pdf_encrypted: "上传被拒绝：PDF 文件设有密码。",
  pdf_empty: "上传被拒绝：PDF 文件没有页面。",
  pdf_too_large: "上传被拒绝：文件超过大小限制。",
  pdf_too_many_pages: "上传被拒绝：PDF 页数超过限制。",
  already_queued: "已在发言排队中。",
  not_queued: "没有在排队的发言申请。",
  request_closed: "该申请已被准许、拒绝、撤回或清除。",
  already_speaking: "该委员正在发言。",
  floor_full: "同时发言的人数已达上限。",
  queue_empty: "没有人在排队等候发言。",
  wrong_mode: "当前发言模式不允许此操作。",
  floor_closed: "该次发言已经结束。",
  no_limit: "该次发言没有时间限制。",
  bad_sdp: "音视频协商失败，请重试。",
  not_publisher: "此账号不能在本次会议中推送音视频。",
  publish_for_other: "终端只能为登录的委员本人推送音视频。",
  not_group_sitting: "只有分组会议才录制发言。",
  disk_full: "服务器磁盘已满，无法继续录制；已录制的内容未丢失。",
  stream_missing: "没有可录制的视频流（委员终端和会场摄像机均无）。",
  reason_required: "删除录像须填写理由；未删除任何内容。",
  bad_vote: "表决设置不符合要求（选项、规则、公开方式或倒计时）。",
  no_quorum: "出席人数未达法定人数，不能开始表决。",
  vote_already_open: "本次会议已有一项表决正在进行，请先结束它。",
  vote_not_prepared: "只能开始已准备好的表决轮次。",
  vote_not_open: "表决尚未开始或已取消，本票未计入。",
  vote_closed: "表决已结束，本票或操作未被接受。",
  vote_time_up: "表决时间已到，本票未计入。",
  vote_not_closed: "请先结束或取消本轮表决，再开始新一轮。",
  bad_state: "表决当前的状态不允许此操作。",
  unknown_option: "所选选项不属于本次表决。",
  unknown_question: "所答事项不属于本次表决。",
  incomplete_ballot: "每一项都须作出选择。",
  already_voted: "您已在本轮投票。",
  query_empty: "请输入要检索的文字（只有标点无法检索）。",
  query_too_long: "检索内容过长，请不超过 100 个字。",
  invalid_stroke: "笔迹无效（工具、颜色、粗细或点数不符合要求），未保存。",
  stroke_out_of_page: "笔迹超出了页面范围，未保存。",
  too_many_strokes: "本页批注笔迹已达上限，请先撤销部分笔迹。",
  stale_version: "该文件已有新版本，请刷新页面后在新版本上批注。",
  bad_upload: "上传的表单无法读取，请重新选择文件上传。",
  body_too_large: "提交的内容过大（超过 2.5 MB），未被接受。",
  codec_not_recorded: "本终端的音视频编码服务器无法录制，本次发言改由会场摄像机录制。",
  file_name_too_long: "文件名过长（超过 200 个字），请改短后再上传。",
  pdf_image_too_large: "上传被拒绝：文件中有一幅图像超过 2 亿像素。",
  pdf_page_size: "上传被拒绝：有页面过小、过大或过窄，无法生成页面图像。",
  pdf_too_complex: "上传被拒绝：文件内容解压后超出上限，疑为异常文件。",
  render_failed: "该文件的页面无法生成，请会务人员更换文件。",
  uri_too_long: "地址过长，请求未被接受。",
  role_changed: "您在本场次的身份已变更，正在重新连接。",
  // not protocol codes: the client's own
  offline: "未连接到服务器，请稍候再试。",
  disconnected: "连接已断开，请稍候再试。",
};

// Codes whose details say why, in numbers a person needs (the server's message has them
// in English).
const DETAILS = {
  no_quorum: (d) =>
    d && d.required != null ? `组成人员${d.roster_size}人，出席${d.present}人，过半数需${d.required}人。` : "",
};

const CHINESE = (document.documentElement.lang || "zh").toLowerCase().startsWith("zh");

/** The message a person reads for an error reply ``{code, message}``. */
export function errorText(err) {
  if (!err) return "";
  const known = ERROR_MESSAGES[err.code];
  if (CHINESE && known) {
    const why = DETAILS[err.code] ? DETAILS[err.code](err.details) : "";
    return why ? `${known}${why}` : known;
  }
  return err.message || known || String(err.code || err);
}
