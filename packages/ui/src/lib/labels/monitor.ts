import type { ConnectionState } from '@wirekit/core';

/** Texts of `ConnectionMonitor`; English and Japanese sets are exported. */
export interface ConnectionMonitorLabels {
  /** Accessible name of the overlay. */
  title: string;
  /** Summary line, given the number of connections. */
  connections: (count: number) => string;
  /** Accessible name of the details panel. */
  details: string;
  /** State names as shown in the badges. */
  states: Record<ConnectionState, string>;
  attempt: string;
  /** Countdown to the next attempt, given whole seconds. */
  retryIn: (seconds: number) => string;
  rtt: string;
  queued: string;
  messages: string;
  listeners: string;
  refCount: string;
  error: string;
  leases: string;
  timers: string;
  heap: string;
  /** Shown when the pool holds no connection. */
  empty: string;
}

/** English texts of `ConnectionMonitor`. */
export const monitorLabelsEn: ConnectionMonitorLabels = {
  title: 'wirekit connections',
  connections: (count) => `${count} ${count === 1 ? 'connection' : 'connections'}`,
  details: 'Connection details',
  states: {
    idle: 'idle',
    connecting: 'connecting',
    connected: 'connected',
    reconnecting: 'reconnecting',
    failed: 'failed',
    closed: 'closed',
  },
  attempt: 'Attempt',
  retryIn: (seconds) => `retry in ${seconds}s`,
  rtt: 'RTT',
  queued: 'Queued',
  messages: 'Messages in/out',
  listeners: 'Listeners',
  refCount: 'References',
  error: 'Last error',
  leases: 'Leases',
  timers: 'Timers',
  heap: 'JS heap',
  empty: 'No connections',
};

/** Japanese texts of `ConnectionMonitor`. */
export const monitorLabelsJa: ConnectionMonitorLabels = {
  title: 'wirekit 接続',
  connections: (count) => `接続 ${count} 件`,
  details: '接続の詳細',
  states: {
    idle: '待機',
    connecting: '接続中',
    connected: '接続済み',
    reconnecting: '再接続中',
    failed: '失敗',
    closed: '切断',
  },
  attempt: '試行',
  retryIn: (seconds) => `${seconds} 秒後に再試行`,
  rtt: 'RTT',
  queued: '送信待ち',
  messages: '受信/送信',
  listeners: 'リスナー',
  refCount: '参照数',
  error: '最後のエラー',
  leases: 'リース',
  timers: 'タイマー',
  heap: 'JS ヒープ',
  empty: '接続はありません',
};
