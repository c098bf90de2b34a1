/**
 * The page model (ui/state.ts) wired to the fakes of the browser, and the
 * states most tests start from: started, online, paired with a stranger.
 */
import type { SettingsStore } from "../../ui/model/settings.ts";
import type { Identity } from "../../ui/peer-client.ts";
import { createPageModel, type PageModel } from "../../ui/state.ts";
import { FakeCall, FakeClient, FakeData, FakeMedia, FakeTimers, settle } from "./browser.ts";

/** Chat lines are cut to this in tests, so that limits are quick to reach. */
export const MAX_MESSAGE_LENGTH = 40;

/** Next in tests: three at once, then one every 2 s. */
export const NEXT_LIMIT = { burst: 3, perMinute: 30 };

export function setup({
  identity = async (): Promise<Identity> => ({ id: "me", token: "t" }),
  store = null as SettingsStore | null,
  noScreen = false,
  preferences = false,
} = {}) {
  const media = new FakeMedia();
  if (noScreen) media.screen = undefined;
  const timers = new FakeTimers();
  const clients: FakeClient[] = [];
  const page = createPageModel({
    requestIdentity: identity,
    openSignaling: (id, events) => {
      const c = new FakeClient(id, events);
      clients.push(c);
      return c;
    },
    media,
    maxMessageLength: MAX_MESSAGE_LENGTH,
    nextLimit: NEXT_LIMIT,
    store,
    preferences,
    timers,
    now: () => timers.now,
    random: () => 0.5,
  });
  const client = () => clients.at(-1)!;
  return { page, media, timers, clients, client };
}

/** Started, signaling open, media acquired. */
export async function online() {
  const s = setup();
  s.page.start();
  await settle();
  s.client().on.open();
  await settle();
  return s;
}

/** Matched as `role` with `peer`, the data channel open, the call streaming. */
export async function paired(role: "caller" | "callee" = "caller", peer = "p1") {
  const s = await online();
  s.client().on.match({ peer, role });
  let data: FakeData, call: FakeCall;
  if (role === "caller") {
    data = s.client().data.at(-1)!;
    call = s.client().calls.at(-1)!;
  } else {
    data = new FakeData(peer);
    call = new FakeCall(peer);
    s.client().on.connection(data);
    s.client().on.call(call);
  }
  data.h.open!();
  call.h.stream!({ id: "remote" } as unknown as MediaStream);
  return { ...s, data, call };
}

/** The chat as `from:text` lines. */
export const texts = (page: PageModel) => page.messages.value.map((m) => `${m.from}:${m.text}`);

/** The media messages sent on a data link, in order. */
export const mediaSent = (data: FakeData) => data.sent.filter((m) => (m as { t: string }).t === "media");
