/**
 * The widget's strings in English, Thai and Japanese. The language is the chatbot's (from the config)
 * when the widget has it, else the browser's, else English.
 */

const en = {
  openChat: "Open chat",
  closeChat: "Close chat",
  chatWith: "Chat with {name}",
  messages: "Messages",
  messageInput: "Type your message",
  send: "Send",
  suggestions: "Suggested questions",
  talkToPerson: "Talk to a person",
  handoffRequested: "We've asked a person to join. They will reply here.",
  personActive: "A person is answering",
  agentsOnline: "We're online",
  botAnswers: "Our assistant answers right away",
  newConversation: "Start a new conversation",
  newConversationConfirm: "Start a new conversation? This one will no longer show here.",
  typing: "{name} is typing…",
  botTyping: "Writing an answer…",
  helpful: "Helpful",
  notHelpful: "Not helpful",
  feedbackThanks: "Thanks for your feedback",
  notSent: "Not sent.",
  retry: "Retry",
  failed: "Something went wrong. Please try again.",
  unread: "{count} unread messages",
  you: "You",
  reconnecting: "Reconnecting…",
  products: "Products",
  viewProduct: "View",
  viewProductLabel: "View {name} (opens in a new tab)",
  outOfStock: "Out of stock",
};

export type Strings = typeof en;

const th: Strings = {
  openChat: "เปิดแชท",
  closeChat: "ปิดแชท",
  chatWith: "แชทกับ {name}",
  messages: "ข้อความ",
  messageInput: "พิมพ์ข้อความของคุณ",
  send: "ส่ง",
  suggestions: "คำถามแนะนำ",
  talkToPerson: "คุยกับเจ้าหน้าที่",
  handoffRequested: "เราได้แจ้งเจ้าหน้าที่แล้ว เจ้าหน้าที่จะตอบกลับที่นี่",
  personActive: "เจ้าหน้าที่กำลังตอบคุณ",
  agentsOnline: "เจ้าหน้าที่ออนไลน์อยู่",
  botAnswers: "ผู้ช่วยของเราตอบได้ทันที",
  newConversation: "เริ่มการสนทนาใหม่",
  newConversationConfirm: "เริ่มการสนทนาใหม่หรือไม่? การสนทนานี้จะไม่แสดงที่นี่อีก",
  typing: "{name} กำลังพิมพ์…",
  botTyping: "กำลังเขียนคำตอบ…",
  helpful: "มีประโยชน์",
  notHelpful: "ไม่มีประโยชน์",
  feedbackThanks: "ขอบคุณสำหรับความคิดเห็น",
  notSent: "ส่งไม่สำเร็จ",
  retry: "ลองอีกครั้ง",
  failed: "เกิดข้อผิดพลาด โปรดลองอีกครั้ง",
  unread: "ข้อความที่ยังไม่ได้อ่าน {count} ข้อความ",
  you: "คุณ",
  reconnecting: "กำลังเชื่อมต่อใหม่…",
  products: "สินค้า",
  viewProduct: "ดูสินค้า",
  viewProductLabel: "ดู {name} (เปิดในแท็บใหม่)",
  outOfStock: "สินค้าหมด",
};

const ja: Strings = {
  openChat: "チャットを開く",
  closeChat: "チャットを閉じる",
  chatWith: "{name}とチャット",
  messages: "メッセージ",
  messageInput: "メッセージを入力",
  send: "送信",
  suggestions: "よくある質問",
  talkToPerson: "担当者と話す",
  handoffRequested: "担当者に連絡しました。こちらで返信いたします。",
  personActive: "担当者が対応中です",
  agentsOnline: "ただいま対応可能です",
  botAnswers: "アシスタントがすぐにお答えします",
  newConversation: "新しい会話を始める",
  newConversationConfirm: "新しい会話を始めますか？この会話はここに表示されなくなります。",
  typing: "{name}が入力中…",
  botTyping: "回答を作成中…",
  helpful: "役に立った",
  notHelpful: "役に立たなかった",
  feedbackThanks: "フィードバックありがとうございます",
  notSent: "送信できませんでした。",
  retry: "再試行",
  failed: "問題が発生しました。もう一度お試しください。",
  unread: "未読メッセージ {count} 件",
  you: "あなた",
  reconnecting: "再接続中…",
  products: "商品",
  viewProduct: "見る",
  viewProductLabel: "{name}を見る（新しいタブで開きます）",
  outOfStock: "在庫切れ",
};

export const LANGUAGES: Record<string, Strings> = { en, th, ja };

/** The first of the candidates (`th`, `ja-JP`, `en-US` …) that the widget speaks, else English. */
export function pickLanguage(...candidates: (string | null | undefined)[]): string {
  for (const candidate of candidates) {
    const code = candidate?.toLowerCase().split(/[-_]/)[0];
    if (code && code in LANGUAGES) return code;
  }
  return "en";
}

export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(values[k] ?? ""));
}
