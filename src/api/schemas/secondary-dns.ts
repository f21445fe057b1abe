// The secondary_dns bodies and results (API.md §1, §1.3): incoming, outgoing, peers, TSIGs, ACLs.
// Range and format rules (auto_refresh >= 300, CIDR limits, TSIG algorithm, ports) are checked in
// code so each gets its own error code; the schemas only fix JSON types. null is accepted wherever
// Terraform may send it to clear a field (API.md §1.2).
import { Type, type Static } from '@sinclair/typebox';
import { Id, Nullable, Time } from './common.js';

const NameStr = Type.String({ minLength: 1, maxLength: 255 });
const PeerIds = Nullable(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 1000 }));

export const IncomingCreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 254, description: 'The zone name' }),
  auto_refresh_seconds: Type.Optional(Nullable(Type.Number({ description: 'Refresh interval, >= 300, default 86400' }))),
  peers: Type.Optional(PeerIds),
});
export type IncomingCreateBody = Static<typeof IncomingCreateBody>;

/** IncomingUpdateBody: absent fields keep their value, null resets (auto_refresh to 86400, peers to []). */
export const IncomingUpdateBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  auto_refresh_seconds: Type.Optional(Nullable(Type.Number())),
  peers: Type.Optional(PeerIds),
});
export type IncomingUpdateBody = Static<typeof IncomingUpdateBody>;

export const OutgoingCreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 254 }),
  peers: Type.Optional(PeerIds),
});
export type OutgoingCreateBody = Static<typeof OutgoingCreateBody>;

export const OutgoingUpdateBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  peers: Type.Optional(PeerIds),
});
export type OutgoingUpdateBody = Static<typeof OutgoingUpdateBody>;

const PeerFields = {
  ip: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
  port: Type.Optional(Nullable(Type.Number())),
  ixfr_enable: Type.Optional(Nullable(Type.Boolean())),
  tsig_id: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
};

/** PeerCreateBody: every field sent is stored (Terraform sends the whole model, API.md §1.2). */
export const PeerCreateBody = Type.Object({ name: NameStr, ...PeerFields });
export type PeerCreateBody = Static<typeof PeerCreateBody>;

/** PeerUpdateBody: absent fields keep their value, explicit null clears them. */
export const PeerUpdateBody = Type.Object({ name: Type.Optional(NameStr), ...PeerFields });
export type PeerUpdateBody = Static<typeof PeerUpdateBody>;

export const TsigCreateBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 255 }),
  algo: Type.String({ minLength: 1, maxLength: 64 }),
  secret: Type.String({ minLength: 1, maxLength: 1024 }),
});
export type TsigCreateBody = Static<typeof TsigCreateBody>;

export const TsigUpdateBody = Type.Partial(TsigCreateBody);
export type TsigUpdateBody = Static<typeof TsigUpdateBody>;

export const AclCreateBody = Type.Object({
  name: NameStr,
  ip_range: Type.String({ minLength: 1, maxLength: 64 }),
});
export type AclCreateBody = Static<typeof AclCreateBody>;

export const AclUpdateBody = Type.Partial(AclCreateBody);
export type AclUpdateBody = Static<typeof AclUpdateBody>;

export const IncomingResult = Type.Object({
  id: Id,
  name: Type.String(),
  auto_refresh_seconds: Type.Number(),
  peers: Type.Array(Id),
  soa_serial: Type.Optional(Type.Number()),
  checked_time: Type.Optional(Time),
  created_time: Time,
  modified_time: Time,
});

export const OutgoingResult = Type.Object({
  id: Id,
  name: Type.String(),
  peers: Type.Array(Id),
  soa_serial: Type.Optional(Type.Number()),
  checked_time: Type.Optional(Time),
  created_time: Time,
  last_transferred_time: Type.Optional(Time),
});

export const PeerResult = Type.Object({
  id: Id,
  name: Type.String(),
  ip: Type.Optional(Type.String()),
  port: Type.Optional(Type.Number()),
  ixfr_enable: Type.Optional(Type.Boolean()),
  tsig_id: Type.Optional(Id),
});

export const TsigResult = Type.Object({ id: Id, name: Type.String(), algo: Type.String(), secret: Type.String() });

export const AclResult = Type.Object({ id: Id, name: Type.String(), ip_range: Type.String() });
