package io.mqchat.api.groups;

import io.mqchat.common.bus.BusMessage;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every group change is stored as an event message in {@code g:{groupId}} (in the order of the changes)
 * and announced on the bus with the subscriptions to move; new members read from the event announcing
 * them, or everything with {@code history=all}.
 */
class GroupEventsEndToEndTest extends GroupsApiTestBase {

    @Test
    void createStoresCreatedAndSubscribesEveryoneFromThatEvent() {
        List<String> u = users(3);
        TestHttp.Response created = call("POST", "/api/v1/groups",
                "{\"name\":\"Team\",\"members\":" + json(u.subList(1, 3)) + "}", u.get(0));
        assertStatus(created, 201);
        String g = created.json().get("groupId").asText();
        assertThat(created.json().get("history").asText()).isEqualTo("since-join");
        assertThat(created.json().get("joinPolicy").asText()).isEqualTo("approval");
        assertThat(created.json().get("membersInvite").asBoolean()).isTrue();
        assertThat(created.json().get("mutedAll").asBoolean()).isFalse();

        Document event = lastEvent(g, "created");
        assertThat(events(g)).hasSize(1);
        assertThat(event.getString(StoreSchema.Message.FROM)).isEqualTo(u.get(0));
        assertThat(body(event).getString("name")).isEqualTo("Team");
        assertThat(body(event).getList("members", String.class)).containsExactlyElementsOf(u);
        for (String user : u) {
            assertThat(fromSeq(g, user)).isEqualTo(seq(event));
        }
        assertAnnounced(g, event, u, List.of());
    }

    @Test
    void everyChangeIsAnEventInOrderWithItsSubscriptions() {
        List<String> u = users(4);
        String owner = u.get(0);
        String g = create(owner, u.subList(1, 3), "");
        String base = "/api/v1/groups/" + g;

        assertStatus(call("POST", base + "/members", "{\"userIds\":[\"" + u.get(3) + "\"]}", owner), 201);
        Document added = lastEvent(g, "members_added");
        assertThat(body(added).getList("users", String.class)).containsExactly(u.get(3));
        assertThat(fromSeq(g, u.get(3))).isEqualTo(seq(added));
        assertThat(fromSeq(g, owner)).isLessThan(seq(added));
        assertAnnounced(g, added, List.of(u.get(3)), List.of());

        TestHttp.Response edited = call("PATCH", base, "{\"name\":\"Renamed\",\"description\":\"d\","
                + "\"joinPolicy\":\"open\",\"membersInvite\":false}", owner);
        assertStatus(edited, 200);
        assertThat(edited.json().get("joinPolicy").asText()).isEqualTo("open");
        assertThat(edited.json().get("membersInvite").asBoolean()).isFalse();
        Document updated = lastEvent(g, "updated");
        assertThat(body(updated).getList("fields", String.class))
                .containsExactly("name", "description", "joinPolicy", "membersInvite");
        assertAnnounced(g, updated, List.of(), List.of());
        // the same values again change nothing: no event
        int before = events(g).size();
        assertStatus(call("PATCH", base, "{\"name\":\"Renamed\",\"joinPolicy\":\"open\"}", owner), 200);
        assertThat(events(g)).hasSize(before);

        assertStatus(call("PUT", base + "/members/" + u.get(1) + "/role", "{\"role\":\"admin\"}", owner), 200);
        Document role = lastEvent(g, "role_changed");
        assertThat(body(role).getString("user")).isEqualTo(u.get(1));
        assertThat(body(role).getString("role")).isEqualTo("admin");
        assertAnnounced(g, role, List.of(), List.of());

        assertStatus(call("DELETE", base + "/members/" + u.get(3), null, u.get(1)), 204);
        Document removed = lastEvent(g, "member_removed");
        assertThat(removed.getString(StoreSchema.Message.FROM)).isEqualTo(u.get(1));
        assertThat(body(removed).getString("user")).isEqualTo(u.get(3));
        assertAnnounced(g, removed, List.of(), List.of(u.get(3)));

        assertStatus(call("DELETE", base + "/members/" + u.get(2), null, u.get(2)), 204);
        Document left = lastEvent(g, "member_left");
        assertThat(left.getString(StoreSchema.Message.FROM)).isEqualTo(u.get(2));
        assertAnnounced(g, left, List.of(), List.of(u.get(2)));

        assertStatus(call("POST", base + "/owner", "{\"userId\":\"" + u.get(1) + "\"}", owner), 200);
        Document ownerChanged = lastEvent(g, "owner_changed");
        assertThat(body(ownerChanged).getString("user")).isEqualTo(u.get(1));
        assertAnnounced(g, ownerChanged, List.of(), List.of());

        assertStatus(call("DELETE", base, null, u.get(1)), 204);
        Document dissolved = lastEvent(g, "dissolved");
        assertThat(dissolved.getString(StoreSchema.Message.FROM)).isEqualTo(u.get(1));
        // all members at the time, read before the memberships were deleted
        assertAnnounced(g, dissolved, List.of(), List.of(owner, u.get(1)));
        assertThat(member(g, owner)).isNull();

        assertThat(eventNames(g)).containsExactly("created", "members_added", "updated", "role_changed",
                "member_removed", "member_left", "owner_changed", "dissolved");
        assertSeqsStrictlyIncrease(g);
    }

    @Test
    void refusedChangesStoreAndAnnounceNothing() {
        List<String> u = users(3);
        String g = create(u.get(0), u.subList(1, 2), "");
        String base = "/api/v1/groups/" + g;
        assertProblem(call("POST", base + "/members", "{\"userIds\":[\"" + u.get(2) + "\"]}", u.get(1)), 403,
                "Only admins");
        assertProblem(call("PATCH", base, "{\"joinPolicy\":\"sometimes\"}", u.get(0)), 400, "joinPolicy");
        assertProblem(call("PATCH", base, "{\"history\":\"forever\"}", u.get(0)), 400, "history");
        assertProblem(call("PATCH", base, "{\"membersInvite\":\"maybe\"}", u.get(0)), 400, "membersInvite");
        assertProblem(call("DELETE", base + "/members/" + u.get(0), null, u.get(1)), 403, "owner");
        assertThat(eventNames(g)).containsExactly("created");
        assertThat(busFor(g)).hasSize(1);
    }

    @Test
    void historyAllLetsNewMembersReadEverything() {
        List<String> u = users(4);
        assertProblem(call("POST", "/api/v1/groups", "{\"name\":\"T\",\"history\":\"some\"}", u.get(0)), 400,
                "history must be");
        String g = create(u.get(0), u.subList(1, 2), "\"history\":\"all\"");
        String base = "/api/v1/groups/" + g;
        assertThat(call("GET", base, null, u.get(1)).json().get("history").asText()).isEqualTo("all");
        assertThat(fromSeq(g, u.get(0))).isEqualTo(1);

        assertStatus(call("POST", base + "/members", "{\"userIds\":[\"" + u.get(2) + "\"]}", u.get(0)), 201);
        assertThat(seq(lastEvent(g, "members_added"))).isGreaterThan(1);
        assertThat(fromSeq(g, u.get(2))).isEqualTo(1);

        // switching back applies to members who join from now on; existing members keep what they had
        assertStatus(call("PATCH", base, "{\"history\":\"since-join\"}", u.get(0)), 200);
        assertThat(body(lastEvent(g, "updated")).getList("fields", String.class)).containsExactly("history");
        assertStatus(call("POST", base + "/members", "{\"userIds\":[\"" + u.get(3) + "\"]}", u.get(0)), 201);
        assertThat(fromSeq(g, u.get(3))).isEqualTo(seq(lastEvent(g, "members_added")));
        assertThat(fromSeq(g, u.get(2))).isEqualTo(1);
        assertSeqsStrictlyIncrease(g);
    }

    @Test
    void aNewOwnersMuteIsLifted() {
        List<String> u = users(2);
        String g = create(u.get(0), u.subList(1, 2), "");
        String base = "/api/v1/groups/" + g;
        assertStatus(call("PUT", base + "/members/" + u.get(1) + "/mute", "{\"durationSeconds\":600}", u.get(0)), 200);
        assertStatus(call("POST", base + "/owner", "{\"userId\":\"" + u.get(1) + "\"}", u.get(0)), 200);
        assertThat(member(g, u.get(1)).get(StoreSchema.GroupMember.MUTED_UNTIL)).isNull();
        assertThat(eventNames(g)).containsExactly("created", "member_muted", "owner_changed", "member_unmuted");
        BusMessage.GroupChange last = awaitBus(g, seq(lastEvent(g, "member_unmuted")));
        assertThat(last.subscribe()).isEmpty();
    }
}
