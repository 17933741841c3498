/** Every text ChatPanel shows or announces. Functions take what the text depends on. */
export interface ChatPanelLabels {
  /** Accessible name of the message log. */
  log: string;
  /** Accessible name of the text box. */
  input: string;
  /** Placeholder of the text box when none is given as a prop. */
  placeholder: string;
  send: string;
  /** Text of the save button while editing a message. */
  save: string;
  cancelEdit: string;
  /** Shown above the composer while editing. */
  editing: string;
  retry: string;
  /** Button to edit an own message. */
  editMessage: string;
  /** Button to delete an own message. */
  deleteMessage: string;
  /** Status of an own message not yet acknowledged. */
  pending: string;
  failed: string;
  edited: string;
  deleted: string;
  empty: string;
  loadingOlder: string;
  loadOlder: string;
  /** Button shown when scrolled up; `count` new messages arrived meanwhile. */
  jumpToLatest: (count: number) => string;
  /** `names` of the users typing (at least one). */
  typing: (names: readonly string[]) => string;
  /** Number of users present. */
  presence: (count: number) => string;
  /** Length counter near the limit. */
  remaining: (left: number, max: number) => string;
  /** Connection note while offline; sends are queued. */
  offline: string;
  /** Live announcement of a message from someone else. */
  announce: (author: string, text: string) => string;
  today: string;
  yesterday: string;
  /** Accessible label of an own message's author. */
  you: string;
}

/** English labels of ChatPanel (the default). */
export const chatLabelsEn: ChatPanelLabels = {
  log: 'Messages',
  input: 'Message',
  placeholder: 'Write a message…',
  send: 'Send',
  save: 'Save',
  cancelEdit: 'Cancel editing',
  editing: 'Editing message',
  retry: 'Retry',
  editMessage: 'Edit message',
  deleteMessage: 'Delete message',
  pending: 'Sending…',
  failed: 'Not sent',
  edited: '(edited)',
  deleted: 'This message was deleted',
  empty: 'No messages yet. Say hello!',
  loadingOlder: 'Loading older messages…',
  loadOlder: 'Load older messages',
  jumpToLatest: (count) =>
    count > 0 ? `${count} new message${count === 1 ? '' : 's'} — jump to latest` : 'Jump to latest',
  typing: (names) =>
    names.length === 1
      ? `${names[0]} is typing…`
      : names.length === 2
        ? `${names[0]} and ${names[1]} are typing…`
        : `${names.length} people are typing…`,
  presence: (count) => `${count} online`,
  remaining: (left) => `${left} characters left`,
  offline: 'Offline — messages will be sent when the connection is back',
  announce: (author, text) => `${author}: ${text}`,
  today: 'Today',
  yesterday: 'Yesterday',
  you: 'You',
};

/** Japanese labels of ChatPanel. */
export const chatLabelsJa: ChatPanelLabels = {
  log: 'メッセージ',
  input: 'メッセージ',
  placeholder: 'メッセージを入力…',
  send: '送信',
  save: '保存',
  cancelEdit: '編集をキャンセル',
  editing: 'メッセージを編集中',
  retry: '再送信',
  editMessage: 'メッセージを編集',
  deleteMessage: 'メッセージを削除',
  pending: '送信中…',
  failed: '送信できませんでした',
  edited: '(編集済み)',
  deleted: 'このメッセージは削除されました',
  empty: 'まだメッセージはありません。',
  loadingOlder: '以前のメッセージを読み込み中…',
  loadOlder: '以前のメッセージを読み込む',
  jumpToLatest: (count) => (count > 0 ? `新着 ${count} 件 — 最新へ移動` : '最新へ移動'),
  typing: (names) =>
    names.length <= 2 ? `${names.join('さん、')}さんが入力中…` : `${names.length}人が入力中…`,
  presence: (count) => `${count}人がオンライン`,
  remaining: (left) => `残り${left}文字`,
  offline: 'オフライン — 接続が戻ると送信されます',
  announce: (author, text) => `${author}: ${text}`,
  today: '今日',
  yesterday: '昨日',
  you: 'あなた',
};
