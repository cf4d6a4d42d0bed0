package io.mqchat.common.contacts;

import io.mqchat.common.schema.StoreSchema;
import io.mqchat.common.store.TestStore;
import org.bson.Document;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.Date;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The read-only look-ups the broker enforces from: blocks, contacts and the two privacy settings. */
class RelationsTest {

    @RegisterExtension
    final TestStore store = new TestStore();

    private Relations relations;

    @BeforeEach
    void setUp() {
        relations = new Relations(store.db());
        for (String user : List.of("amy", "ben", "cat")) {
            store.db().getCollection(StoreSchema.USERS).insertOne(new Document(StoreSchema.User.ID, user));
        }
    }

    private void block(String blocker, String blocked) {
        store.db().getCollection(StoreSchema.BLOCKS).insertOne(new Document(StoreSchema.Block.ID,
                StoreSchema.Block.id(blocker, blocked)).append(StoreSchema.Block.BLOCKER, blocker)
                .append(StoreSchema.Block.BLOCKED, blocked).append(StoreSchema.Block.AT, new Date()));
    }

    private void contact(String user, String contact) {
        store.db().getCollection(StoreSchema.CONTACTS).insertOne(new Document(StoreSchema.ContactEntry.ID,
                StoreSchema.ContactEntry.id(user, contact)).append(StoreSchema.ContactEntry.USER, user)
                .append(StoreSchema.ContactEntry.CONTACT, contact).append(StoreSchema.ContactEntry.SINCE, new Date()));
    }

    private void set(String user, String field, Object value) {
        store.db().getCollection(StoreSchema.USERS).updateOne(new Document(StoreSchema.User.ID, user),
                new Document("$set", new Document(field, value)));
    }

    @Test
    void aBlockIsOneWayAndInvalidIdsCountAsBlocked() {
        block("amy", "ben");
        assertThat(relations.isBlocked("amy", "ben")).isTrue();
        assertThat(relations.isBlocked("ben", "amy")).as("one way").isFalse();
        assertThat(relations.isBlocked("amy", "cat")).isFalse();
        assertThat(relations.eitherBlocked("ben", "amy")).isTrue();
        assertThat(relations.eitherBlocked("ben", "cat")).isFalse();
        assertThat(relations.isBlocked("amy", "{\"$ne\":null}")).as("default-deny").isTrue();
        assertThat(relations.isBlocked(null, "ben")).isTrue();
        assertThat(relations.blockersAmong(List.of("amy", "cat", "$bad"), "ben")).containsExactly("amy");
    }

    @Test
    void contactsAreReadFromTheFirstUsersEntry() {
        contact("amy", "ben");
        contact("ben", "amy");
        assertThat(relations.areContacts("amy", "ben")).isTrue();
        assertThat(relations.areContacts("ben", "amy")).isTrue();
        assertThat(relations.areContacts("amy", "cat")).isFalse();
        assertThat(relations.areContacts("amy", "amy")).isFalse();
        assertThat(relations.areContacts("amy", "b.|x")).isFalse();
    }

    @Test
    void settingsDefaultWhenAbsentAndNarrowWhenUnknown() {
        assertThat(relations.directMessagePolicy("amy")).contains(DirectMessagePolicy.EVERYONE);
        assertThat(relations.presencePolicy("amy")).contains(PresencePolicy.TALKED);
        set("amy", StoreSchema.User.DIRECT_MESSAGES, "contacts");
        set("amy", StoreSchema.User.PRESENCE, "nobody");
        set("ben", StoreSchema.User.PRESENCE, "contacts");
        assertThat(relations.directMessagePolicy("amy")).contains(DirectMessagePolicy.CONTACTS);
        assertThat(relations.presencePolicy("amy")).contains(PresencePolicy.NOBODY);
        assertThat(relations.presencePolicy("ben")).contains(PresencePolicy.CONTACTS);
        set("cat", StoreSchema.User.DIRECT_MESSAGES, "friends-of-friends");
        set("cat", StoreSchema.User.PRESENCE, 42);
        assertThat(relations.directMessagePolicy("cat")).contains(DirectMessagePolicy.CONTACTS);
        assertThat(relations.presencePolicy("cat")).contains(PresencePolicy.NOBODY);
        assertThat(relations.directMessagePolicy("nobody-here")).isEmpty();
        assertThat(relations.presencePolicy("a/b")).isEmpty();
    }
}
