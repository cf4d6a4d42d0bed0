package io.mqchat.common.schema;

import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Indexes;

/**
 * MongoDB collection and field names shared by the broker extension and the REST services, and the
 * indexes the promises rest on: unique {@code (conv, seq)} (order) and unique {@code (from, cid)}
 * (exactly-once storage of retries).
 */
public final class StoreSchema {

    public static final String USERS = "users";
    /**
     * Deleted accounts: one document per deleted user id, {@code {_id, deletedAt}}, kept for good. The id stays the
     * {@code from} of the messages the account sent, so it is never registered again (nobody takes over an author).
     */
    public static final String DELETED_USERS = "deleted_users";
    public static final String MESSAGES = "messages";
    /** One summary per (user, conversation), derived from {@link #MESSAGES} (see {@link ConversationSummaries}). */
    public static final String CONVERSATIONS = "conversations";
    /** One document per group (dissolved groups stay, with {@code dissolvedAt}). */
    public static final String GROUPS = "groups";
    /** One document per (group, member). */
    public static final String GROUP_MEMBERS = "group_members";
    /** Pending invitations: one document per (group, invited user). */
    public static final String GROUP_INVITATIONS = "group_invitations";
    /** Pending requests to join: one document per (group, requesting user). */
    public static final String GROUP_JOIN_REQUESTS = "group_join_requests";
    /**
     * A user's contacts: one document per (user, contact), {@code _id} = {@code {user}|{contact}} (fields in
     * {@link ContactEntry}). Contacts are mutual: chat-api writes and deletes both directions together.
     */
    public static final String CONTACTS = "contacts";
    /** Pending contact requests: one per (from, to), {@code _id} = {@code {from}|{to}} ({@link ContactRequest}). */
    public static final String CONTACT_REQUESTS = "contact_requests";
    /**
     * Every change to a user's contact list, pending requests or blocks, numbered per user from 1 without gaps
     * ({@link ContactChange}); the newest version is the list's version. Older entries may be pruned.
     */
    public static final String CONTACT_CHANGES = "contact_changes";
    /** Who blocked whom: one per (blocker, blocked), {@code _id} = {@code {blocker}|{blocked}} ({@link Block}). */
    public static final String BLOCKS = "blocks";
    /** What admins did: one document per action (who, what, to whom, why, when), {@code _id} an ObjectId. */
    public static final String ADMIN_AUDIT = "admin_audit";
    /** Registered webhook endpoints: one document per endpoint, {@code _id} an ObjectId's hex text. */
    public static final String WEBHOOK_ENDPOINTS = "webhook_endpoints";
    /**
     * The webhook outbox: one document per (endpoint, event), pending until delivered or dead. It is the record of
     * what is still to be sent, so pending deliveries go on after a restart.
     */
    public static final String WEBHOOK_DELIVERIES = "webhook_deliveries";

    /** Message document fields. {@code _id} is the message id. */
    public static final class Message {
        public static final String ID = "_id";
        public static final String CONV = "conv";
        public static final String SEQ = "seq";
        public static final String FROM = "from";
        public static final String TO = "to";
        public static final String TS = "ts";
        public static final String DEV = "dev";
        public static final String CID = "cid";
        public static final String TYPE = "type";
        /** A body that is a JSON string, as a BSON string (so text stays readable and searchable). */
        public static final String BODY = "body";
        /**
         * Any other body (object, array, number, boolean) as its JSON text: stored as a string, never as a BSON
         * document, so that what history returns is exactly what was delivered (no field name is too odd for
         * BSON, no {@code $numberLong}-style object is read back as Extended JSON).
         */
        public static final String BODY_JSON = "bodyJson";
        /** A BSON date of {@code ts}, for the retention TTL index. */
        public static final String CREATED_AT = "createdAt";
        /** When the sender recalled the message (epoch ms); absent if not recalled. */
        public static final String RECALLED_AT = "recalledAt";
        /** Who recalled it: the sender, or a group's owner or admin (absent on older recalls: the sender). */
        public static final String RECALLED_BY = "recalledBy";
        /** Why an admin removed the message (admin removals only; absent otherwise). */
        public static final String RECALL_REASON = "recallReason";
        /** Group messages: mentioned user ids (or "all"); absent when none. */
        public static final String MENTIONS = "mentions";
        /** {@code true} when a service account sent the message (absent otherwise). */
        public static final String SERVICE = "service";
        /**
         * The system conversation: the user ids a broadcast is for, when not everyone (absent: everyone). Read
         * diffusion: the message is stored once and each reader's queries pass over what is not theirs. Never
         * delivered with the message.
         */
        public static final String AUDIENCE = "aud";

        private Message() {
        }
    }

    /** User document fields. {@code _id} is the user id. */
    public static final class User {
        public static final String ID = "_id";
        public static final String PASSWORD_HASH = "passwordHash";
        public static final String CREATED_AT = "createdAt";
        /** Who may add the user to groups directly: {@code everyone} (absent), {@code contacts} or {@code nobody}. */
        public static final String GROUP_ADDS = "groupAdds";
        /** Who may send the user direct messages: {@code everyone} (absent) or {@code contacts}. */
        public static final String DIRECT_MESSAGES = "directMessages";
        /**
         * Who may see the user's presence: {@code talked} (absent: those they exchanged direct messages with or share
         * a group with), {@code contacts} or {@code nobody}.
         */
        public static final String PRESENCE = "presence";
        /** {@code true} when the admin role was granted over REST (absent otherwise; configured admins are not stored). */
        public static final String ADMIN = "admin";
        /** While banned: {@code {reason, until (absent = permanent), by, at}}. */
        public static final String BAN = "ban";
        /** {@value #KIND_SERVICE} for a service account; absent for a person. */
        public static final String KIND = "kind";
        public static final String KIND_SERVICE = "service";
        /** A service account's own fields ({@code ServiceAccount}); it has no {@link #PASSWORD_HASH}. */
        public static final String SERVICE = "service";

        private User() {
        }
    }

    /**
     * Conversation summary fields. {@code _id} is {@code {user}|{conv}}. Derived from the messages (the
     * record) and repairable; maintained by the broker's store writer and by read receipts.
     */
    public static final class Conversation {
        public static final String ID = "_id";
        public static final String USER = "user";
        public static final String CONV = "conv";
        /** For direct conversations: the other user. */
        public static final String PEER = "peer";
        public static final String LAST_SEQ = "lastSeq";
        public static final String LAST_TS = "lastTs";
        /** Sub-document: {@code id, from, type, text} of the message at {@code lastSeq}. */
        public static final String LAST = "last";
        public static final String READ_SEQ = "readSeq";
        /**
         * Direct conversations: the highest seq this user sent there (absent: has not sent since summaries
         * track it). Both participants having one is what makes a conversation mutual (presence).
         */
        public static final String SENT_SEQ = "sentSeq";
        /**
         * True when {@link #SENT_SEQ} is complete: the summary was made since it is recorded, or was repaired
         * from the messages once. Older summaries lack it.
         */
        public static final String SENT_TRACKED = "sentTracked";
        /** Seqs of other users' messages not yet read (entries at or below readSeq are stale and ignored). */
        public static final String UNREAD_SEQS = "unreadSeqs";
        /** Set when {@code unreadSeqs} reached its cap: unread is then counted from the messages. */
        public static final String UNREAD_CAPPED = "unreadCapped";
        public static final String UPDATED_AT = "updatedAt";
        /** Per-user group documents: the newest seq mentioning this user by name. */
        public static final String MENTION_SEQ = "mentionSeq";
        /** Group summary ({@code _id} = the conversation id itself): the newest seq mentioning "all". */
        public static final String ALL_MENTION_SEQ = "allMentionSeq";
        /**
         * In {@link #LAST} of the system conversation's summary: the last message is for some users only, so
         * the others' preview is looked up among the messages they may see.
         */
        public static final String LAST_LIMITED = "limited";

        private Conversation() {
        }
    }

    /** Group document fields. {@code _id} is the group id. */
    public static final class Group {
        public static final String ID = "_id";
        public static final String NAME = "name";
        public static final String DESCRIPTION = "description";
        public static final String AVATAR_URL = "avatarUrl";
        public static final String OWNER = "owner";
        /** Current number of members, kept with conditional increments so the size limit holds. */
        public static final String MEMBER_COUNT = "memberCount";
        public static final String CREATED_AT = "createdAt";
        /** When the owner dissolved the group; absent while it exists. */
        public static final String DISSOLVED_AT = "dissolvedAt";
        /** {@code closed} (admins add), {@code approval} (requests need an admin; default) or {@code open}. */
        public static final String JOIN_POLICY = "joinPolicy";
        /** Whether plain members may invite (admins always may). */
        public static final String MEMBERS_INVITE = "membersInvite";
        /** What a new member may read: {@code since-join} (default) or {@code all}. */
        public static final String HISTORY = "history";
        /** True while the whole group is muted (only admins and the owner speak). */
        public static final String MUTED_ALL = "mutedAll";

        private Group() {
        }
    }

    /** Group membership fields. {@code _id} is {@code {groupId}|{userId}} (so a user is a member at most once). */
    public static final class GroupMember {
        public static final String ID = "_id";
        public static final String GROUP_ID = "groupId";
        public static final String USER_ID = "userId";
        /** {@code owner}, {@code admin} or {@code member}. */
        public static final String ROLE = "role";
        public static final String JOINED_AT = "joinedAt";
        /** The first seq of the group conversation this member may read (1 = all history). */
        public static final String FROM_SEQ = "fromSeq";
        /** Muted until this time (epoch ms); absent or past when not muted. */
        public static final String MUTED_UNTIL = "mutedUntil";

        private GroupMember() {
        }

        public static String id(String groupId, String userId) {
            return groupId + "|" + userId;
        }
    }

    public static final String INDEX_CONV_SEQ = "conv_seq_unique";
    public static final String INDEX_CONV_TS = "conv_ts";
    public static final String INDEX_USER_RECENT = "user_recent";
    public static final String INDEX_FROM_CID = "from_cid_unique";
    /** A sender's messages newest first (the admin's list of what a user sent). */
    public static final String INDEX_FROM_RECENT = "from_recent";
    /** Sparse (partial) indexes of recalled messages by sender / receiver and recall time, for sync. */
    public static final String INDEX_FROM_RECALLED = "from_recalled";
    public static final String INDEX_TO_RECALLED = "to_recalled";
    /** A user's groups ({@code group_members} by user). */
    public static final String INDEX_MEMBER_USER = "member_user";
    /** A group's members ({@code group_members} by group, then user). */
    public static final String INDEX_MEMBER_GROUP = "member_group";
    /** TTL index on {@code messages.createdAt} (retention), owned by history-service. */
    public static final String INDEX_RETENTION_TTL = "retention_ttl";
    /** A user's pending invitations / a group's pending join requests. */
    public static final String INDEX_INVITATION_USER = "invitation_user";
    public static final String INDEX_JOIN_REQUEST_GROUP = "join_request_group";
    /** The admin audit by admin / by target, newest first. */
    public static final String INDEX_AUDIT_ADMIN = "audit_admin";
    public static final String INDEX_AUDIT_TARGET = "audit_target";
    /** A user's contacts by id; pending requests to / from a user, oldest first. */
    public static final String INDEX_CONTACT_USER = "contact_user";
    public static final String INDEX_CONTACT_REQUEST_TO = "contact_request_to";
    public static final String INDEX_CONTACT_REQUEST_FROM = "contact_request_from";
    /** A user's contact changes by version (unique: one change per version). */
    public static final String INDEX_CONTACT_CHANGE_VERSION = "contact_change_version_unique";
    /** A user's blocks by blocked id; who blocked a user. */
    public static final String INDEX_BLOCK_BLOCKER = "block_blocker";
    public static final String INDEX_BLOCK_BLOCKED = "block_blocked";

    /**
     * Pending invitation and join request fields. {@code _id} is {@code {groupId}|{userId}} (one pending
     * per group and user).
     */
    public static final class GroupPending {
        public static final String ID = "_id";
        public static final String GROUP_ID = "groupId";
        public static final String USER_ID = "userId";
        /** Who invited (invitations only). */
        public static final String BY = "by";
        public static final String CREATED_AT = "createdAt";

        private GroupPending() {
        }

        public static String id(String groupId, String userId) {
            return GroupMember.id(groupId, userId);
        }
    }

    /** Contact fields ({@link #CONTACTS}). {@code _id} is {@code {user}|{contact}}. */
    public static final class ContactEntry {
        public static final String ID = "_id";
        public static final String USER = "user";
        public static final String CONTACT = "contact";
        /** When the two became contacts (a BSON date). */
        public static final String SINCE = "since";

        private ContactEntry() {
        }

        public static String id(String user, String contact) {
            return user + "|" + contact;
        }
    }

    /** Pending contact request fields ({@link #CONTACT_REQUESTS}). {@code _id} is {@code {from}|{to}}. */
    public static final class ContactRequest {
        public static final String ID = "_id";
        public static final String FROM = "from";
        public static final String TO = "to";
        /** The requester's note (absent when none). */
        public static final String MESSAGE = "message";
        public static final String CREATED_AT = "createdAt";

        private ContactRequest() {
        }

        public static String id(String from, String to) {
            return from + "|" + to;
        }
    }

    /** Contact change fields ({@link #CONTACT_CHANGES}); unique {@code (user, version)}. */
    public static final class ContactChange {
        public static final String ID = "_id";
        /** Whose list changed. */
        public static final String USER = "user";
        /** 1, 2, 3... per user. */
        public static final String VERSION = "version";
        /** What happened, from {@link #USER}'s side ({@code ServerEvent.Contact}'s change names). */
        public static final String CHANGE = "change";
        /** The other user. */
        public static final String PEER = "peer";
        /** A received request's note (absent otherwise). */
        public static final String MESSAGE = "message";
        /** When (a BSON date). */
        public static final String AT = "at";

        private ContactChange() {
        }
    }

    /** Block fields ({@link #BLOCKS}). {@code _id} is {@code {blocker}|{blocked}}. */
    public static final class Block {
        public static final String ID = "_id";
        public static final String BLOCKER = "blocker";
        public static final String BLOCKED = "blocked";
        /** When (a BSON date). */
        public static final String AT = "at";

        private Block() {
        }

        public static String id(String blocker, String blocked) {
            return blocker + "|" + blocked;
        }
    }

    /** Admin audit fields ({@link #ADMIN_AUDIT}). {@code _id} is an ObjectId. */
    public static final class AdminAuditEntry {
        public static final String ID = "_id";
        public static final String AT = "at";
        public static final String ADMIN = "admin";
        public static final String ACTION = "action";
        public static final String TARGET = "target";
        public static final String REASON = "reason";
        /** Bans only: when the ban ends (absent: permanent). */
        public static final String UNTIL = "until";
        /** Kicks only: the device type kicked (absent: all). */
        public static final String DEVICE_TYPE = "deviceType";

        private AdminAuditEntry() {
        }
    }

    /** Webhook endpoint fields ({@link #WEBHOOK_ENDPOINTS}). */
    public static final class WebhookEndpoint {
        public static final String ID = "_id";
        public static final String URL = "url";
        /** The event names the endpoint receives. */
        public static final String EVENTS = "events";
        /** The HMAC key of its signatures (kept as given: a signature needs the key itself, not a hash of it). */
        public static final String SECRET = "secret";
        public static final String ENABLED = "enabled";
        public static final String CREATED_AT = "createdAt";
        public static final String CREATED_BY = "createdBy";

        private WebhookEndpoint() {
        }
    }

    /** Webhook delivery fields ({@link #WEBHOOK_DELIVERIES}). {@code _id} is an ObjectId, also the delivery id. */
    public static final class WebhookDelivery {
        public static final String ID = "_id";
        /** The endpoint's id. */
        public static final String ENDPOINT = "endpoint";
        public static final String EVENT = "event";
        /** The exact JSON body sent (and signed), the same at every attempt. */
        public static final String BODY = "body";
        /** {@code pending}, {@code delivered} or {@code dead}. */
        public static final String STATE = "state";
        public static final String ATTEMPTS = "attempts";
        /** When a pending delivery is due (BSON date); a claim moves it forward by the lease. */
        public static final String NEXT_AT = "nextAt";
        public static final String CREATED_AT = "createdAt";
        public static final String DELIVERED_AT = "deliveredAt";
        /** The last failure: {@code HTTP 500}, an exception's class name, or the address guard's refusal (bounded). */
        public static final String LAST_ERROR = "lastError";
        public static final String LAST_ATTEMPT_AT = "lastAttemptAt";

        public static final String PENDING = "pending";
        public static final String DELIVERED = "delivered";
        public static final String DEAD = "dead";

        private WebhookDelivery() {
        }
    }

    /** Due deliveries (state, due time): what the dispatchers claim from. */
    public static final String INDEX_WEBHOOK_DUE = "webhook_due";
    /** An endpoint's deliveries by state, newest first: the dead letters of one endpoint. */
    public static final String INDEX_WEBHOOK_ENDPOINT = "webhook_endpoint_state";

    private StoreSchema() {
    }

    /** Creates the indexes if missing; every component calls this at start, it is idempotent. */
    public static void ensureIndexes(MongoDatabase db) {
        db.getCollection(MESSAGES).createIndex(Indexes.ascending(Message.CONV, Message.SEQ),
                new IndexOptions().unique(true).name(INDEX_CONV_SEQ));
        db.getCollection(MESSAGES).createIndex(Indexes.ascending(Message.FROM, Message.CID),
                new IndexOptions().unique(true).name(INDEX_FROM_CID));
        db.getCollection(MESSAGES).createIndex(Indexes.ascending(Message.CONV, Message.TS),
                new IndexOptions().name(INDEX_CONV_TS));
        // a user's messages newest first, for admins: (from, _id) only, the smallest key that pages by the id
        // (an ObjectId's hex text, growing with time); every insert pays for it, so nothing else goes in it
        db.getCollection(MESSAGES).createIndex(Indexes.compoundIndex(Indexes.ascending(Message.FROM),
                Indexes.descending(Message.ID)), new IndexOptions().name(INDEX_FROM_RECENT));
        // only recalled messages are in these (rare): sync's "recalled since" for a user stays cheap
        db.getCollection(MESSAGES).createIndex(Indexes.ascending(Message.FROM, Message.RECALLED_AT),
                new IndexOptions().name(INDEX_FROM_RECALLED)
                        .partialFilterExpression(Filters.exists(Message.RECALLED_AT)));
        db.getCollection(MESSAGES).createIndex(Indexes.ascending(Message.TO, Message.RECALLED_AT),
                new IndexOptions().name(INDEX_TO_RECALLED)
                        .partialFilterExpression(Filters.exists(Message.RECALLED_AT)));
        db.getCollection(CONVERSATIONS).createIndex(Indexes.compoundIndex(Indexes.ascending(Conversation.USER),
                Indexes.descending(Conversation.LAST_TS), Indexes.ascending(Conversation.ID)),
                new IndexOptions().name(INDEX_USER_RECENT));
        db.getCollection(GROUP_MEMBERS).createIndex(Indexes.ascending(GroupMember.USER_ID, GroupMember.GROUP_ID),
                new IndexOptions().unique(true).name(INDEX_MEMBER_USER));
        db.getCollection(GROUP_MEMBERS).createIndex(Indexes.ascending(GroupMember.GROUP_ID, GroupMember.USER_ID),
                new IndexOptions().unique(true).name(INDEX_MEMBER_GROUP));
        db.getCollection(GROUP_INVITATIONS).createIndex(Indexes.ascending(GroupPending.USER_ID, GroupPending.CREATED_AT),
                new IndexOptions().name(INDEX_INVITATION_USER));
        db.getCollection(GROUP_JOIN_REQUESTS).createIndex(Indexes.ascending(GroupPending.GROUP_ID, GroupPending.CREATED_AT),
                new IndexOptions().name(INDEX_JOIN_REQUEST_GROUP));
        // the audit's filters, newest first (its _id grows with time)
        db.getCollection(ADMIN_AUDIT).createIndex(Indexes.compoundIndex(Indexes.ascending(AdminAuditEntry.ADMIN),
                Indexes.descending(AdminAuditEntry.ID)), new IndexOptions().name(INDEX_AUDIT_ADMIN));
        db.getCollection(ADMIN_AUDIT).createIndex(Indexes.compoundIndex(Indexes.ascending(AdminAuditEntry.TARGET),
                Indexes.descending(AdminAuditEntry.ID)), new IndexOptions().name(INDEX_AUDIT_TARGET));
        db.getCollection(CONTACTS).createIndex(Indexes.ascending(ContactEntry.USER, ContactEntry.CONTACT),
                new IndexOptions().unique(true).name(INDEX_CONTACT_USER));
        db.getCollection(CONTACT_REQUESTS).createIndex(Indexes.ascending(ContactRequest.TO, ContactRequest.CREATED_AT),
                new IndexOptions().name(INDEX_CONTACT_REQUEST_TO));
        db.getCollection(CONTACT_REQUESTS).createIndex(Indexes.ascending(ContactRequest.FROM, ContactRequest.CREATED_AT),
                new IndexOptions().name(INDEX_CONTACT_REQUEST_FROM));
        db.getCollection(CONTACT_CHANGES).createIndex(Indexes.ascending(ContactChange.USER, ContactChange.VERSION),
                new IndexOptions().unique(true).name(INDEX_CONTACT_CHANGE_VERSION));
        db.getCollection(BLOCKS).createIndex(Indexes.ascending(Block.BLOCKER, Block.BLOCKED),
                new IndexOptions().unique(true).name(INDEX_BLOCK_BLOCKER));
        db.getCollection(BLOCKS).createIndex(Indexes.ascending(Block.BLOCKED),
                new IndexOptions().name(INDEX_BLOCK_BLOCKED));
        db.getCollection(WEBHOOK_DELIVERIES).createIndex(Indexes.ascending(WebhookDelivery.STATE,
                WebhookDelivery.NEXT_AT), new IndexOptions().name(INDEX_WEBHOOK_DUE));
        db.getCollection(WEBHOOK_DELIVERIES).createIndex(Indexes.compoundIndex(Indexes.ascending(
                WebhookDelivery.ENDPOINT, WebhookDelivery.STATE), Indexes.descending(WebhookDelivery.ID)),
                new IndexOptions().name(INDEX_WEBHOOK_ENDPOINT));
    }
}
