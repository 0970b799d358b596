/**
 * Re-sync after apply (`hermes apply --notify-phones --kamailio-rpc URL`): each phone whose
 * files changed gets a SIP NOTIFY with `Event: check-sync` at every contact its lines have
 * registered, sent by Kamailio (tm.t_uac_start) to the contacts usrloc returns (ul.lookup
 * location user@domain; Kamailio drops the domain itself when usrloc's use_domain is off).
 * A phone none of whose lines is registered is listed, not an error.
 */
import { callKamailioRpc, KamailioRpcError } from './kamailio-rpc.js';

export interface PhoneToNotify {
  mac: string;
  /** Its lines as user@domain, line 1 first. */
  lines: string[];
}

export interface NotifyReport {
  /** Phones sent a NOTIFY, with how many contacts got one. */
  notified: { mac: string; contacts: number }[];
  /** Phones with no registered contact. */
  unregistered: string[];
  /** Contacts Kamailio refused to send to (the phone is in `notified` if another got one). */
  failed: { mac: string; contact: string; reason: string }[];
}

interface UsrlocContact {
  Address: string;
  Received?: string;
  Socket?: string;
}

const unset = (v: string | undefined) => v === undefined || v === '' || v === '[not set]';

/** A registered AOR's contacts; [] when it has none (Kamailio answers an error: AOR not found). */
async function contactsOf(url: string, aor: string): Promise<UsrlocContact[]> {
  try {
    const result = (await callKamailioRpc(url, 'ul.lookup', ['location', aor])) as { Contacts?: { Contact?: UsrlocContact }[] } | null;
    return (result?.Contacts ?? []).map((c) => c.Contact).filter((c): c is UsrlocContact => typeof c?.Address === 'string');
  } catch (error) {
    if (error instanceof KamailioRpcError && /not found/i.test(error.detail)) return [];
    throw error;
  }
}

/** The NOTIFY's headers: from and to the line's address, check-sync, no subscription (Kamailio adds the From tag, Call-ID, CSeq, Via). */
function checkSyncHeaders(aor: string): string {
  return [`From: <sip:${aor}>`, `To: <sip:${aor}>`, 'Event: check-sync', 'Subscription-State: terminated', 'Content-Length: 0', ''].join('\r\n');
}

/** Sends check-sync to every registered contact of each phone's lines. */
export async function notifyPhones(url: string, phones: readonly PhoneToNotify[]): Promise<NotifyReport> {
  const report: NotifyReport = { notified: [], unregistered: [], failed: [] };
  for (const phone of phones) {
    let sent = 0;
    const seen = new Set<string>();
    for (const aor of phone.lines) {
      for (const contact of await contactsOf(url, aor)) {
        if (seen.has(contact.Address)) continue;
        seen.add(contact.Address);
        const nextHop = unset(contact.Received) ? '.' : contact.Received!;
        const socket = unset(contact.Socket) ? '.' : contact.Socket!;
        try {
          await callKamailioRpc(url, 'tm.t_uac_start', ['NOTIFY', contact.Address, nextHop, socket, checkSyncHeaders(aor)]);
          sent++;
        } catch (error) {
          if (!(error instanceof KamailioRpcError)) throw error;
          report.failed.push({ mac: phone.mac, contact: contact.Address, reason: error.message });
        }
      }
    }
    if (sent > 0) report.notified.push({ mac: phone.mac, contacts: sent });
    else if (seen.size === 0) report.unregistered.push(phone.mac);
  }
  return report;
}
