package io.mqchat.api.groups;

import com.fasterxml.jackson.databind.JsonNode;
import io.mqchat.common.schema.StoreSchema;
import io.mqchat.web.TestHttp;
import org.bson.Document;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Muting members for a while and the whole group: who may, what is stored, what is announced. */
class GroupMutesEndToEndTest extends GroupsApiTestBase {

    @Test
    void adminsMuteAMemberForAWhileAndLiftIt() {
        List<String> u = users(4);
        String owner = u.get(0);
        String g = create(owner, u.subList(1, 4), "");
        String base = "/api/v1/groups/" + g + "/members/";
        assertStatus(call("PUT", base + u.get(1) + "/role", "{\"role\":\"admin\"}", owner), 200);

        long before = System.currentTimeMillis();
        TestHttp.Response muted = call("PUT", base + u.get(2) + "/mute", "{\"durationSeconds\":60}", u.get(1));
        assertStatus(muted, 200);
        assertThat(muted.json().get("userId").asText()).isEqualTo(u.get(2));
        long until = Instant.parse(muted.json().get("mutedUntil").asText()).toEpochMilli();
        assertThat(until).isCloseTo(before + 60_000, within(5_000L));
        assertThat(((Number) member(g, u.get(2)).get(StoreSchema.GroupMember.MUTED_UNTIL)).longValue()).isEqualTo(until);
        Document event = lastEvent(g, "member_muted");
        assertThat(event.getString(StoreSchema.Message.FROM)).isEqualTo(u.get(1));
        assertThat(body(event).getString("user")).isEqualTo(u.get(2));
        assertThat(((Number) body(event).get("until")).longValue()).isEqualTo(until);
        assertAnnounced(g, event, List.of(), List.of());

        JsonNode members = call("GET", "/api/v1/groups/" + g + "/members", null, u.get(3)).json().get("items");
        for (JsonNode m : members) {
            assertThat(m.get("mutedUntil").isNull()).as(m.toString()).isEqualTo(!m.get("userId").asText().equals(u.get(2)));
        }

        assertStatus(call("DELETE", base + u.get(2) + "/mute", null, u.get(1)), 204);
        assertThat(member(g, u.get(2)).get(StoreSchema.GroupMember.MUTED_UNTIL)).isNull();
        Document unmuted = lastEvent(g, "member_unmuted");
        assertThat(body(unmuted).getString("user")).isEqualTo(u.get(2));
        assertAnnounced(g, unmuted, List.of(), List.of());
        // not muted any more: lifting again changes nothing
        assertStatus(call("DELETE", base + u.get(2) + "/mute", null, u.get(1)), 204);
        assertThat(eventNames(g)).containsExactly("created", "role_changed", "member_muted", "member_unmuted");
        assertSeqsStrictlyIncrease(g);
    }

    @Test
    void onlyTheOwnerMutesAdminsAndNobodyMutesTheOwner() {
        List<String> u = users(5);
        String owner = u.get(0);
        String g = create(owner, u.subList(1, 4), "");
        String base = "/api/v1/groups/" + g + "/members/";
        assertStatus(call("PUT", base + u.get(1) + "/role", "{\"role\":\"admin\"}", owner), 200);
        assertStatus(call("PUT", base + u.get(2) + "/role", "{\"role\":\"admin\"}", owner), 200);
        int events = events(g).size();

        assertProblem(call("PUT", base + u.get(2) + "/mute", "{\"durationSeconds\":60}", u.get(3)), 403,
                "Only admins and the owner can mute");
        assertProblem(call("PUT", base + u.get(2) + "/mute", "{\"durationSeconds\":60}", u.get(1)), 403,
                "Only the owner can mute or unmute an admin");
        assertProblem(call("PUT", base + owner + "/mute", "{\"durationSeconds\":60}", u.get(1)), 403,
                "The owner cannot be muted");
        assertProblem(call("PUT", base + owner + "/mute", "{\"durationSeconds\":60}", owner), 403,
                "The owner cannot be muted");
        assertProblem(call("PUT", base + u.get(3) + "/mute", "{\"durationSeconds\":0}", owner), 400, "durationSeconds");
        assertProblem(call("PUT", base + u.get(3) + "/mute", "{\"durationSeconds\":2592001}", owner), 400,
                "durationSeconds");
        assertProblem(call("PUT", base + u.get(3) + "/mute", "{}", owner), 400, "durationSeconds");
        assertProblem(call("PUT", base + u.get(3) + "/mute", "{\"durationSeconds\":\"long\"}", owner), 400,
                "durationSeconds");
        assertProblem(call("PUT", base + u.get(4) + "/mute", "{\"durationSeconds\":60}", owner), 404, "No such member");
        assertProblem(call("PUT", base + "bad%24id/mute", "{\"durationSeconds\":60}", owner), 404, "");
        assertProblem(call("PUT", base + u.get(3) + "/mute", "{\"durationSeconds\":60}", u.get(4)), 403,
                "not a member");
        assertThat(events(g)).hasSize(events);

        assertStatus(call("PUT", base + u.get(2) + "/mute", "{\"durationSeconds\":2592000}", owner), 200);
        assertProblem(call("DELETE", base + u.get(2) + "/mute", null, u.get(1)), 403, "Only the owner");
        assertStatus(call("DELETE", base + u.get(2) + "/mute", null, owner), 204);
        assertThat(eventNames(g).subList(events, events(g).size())).containsExactly("member_muted", "member_unmuted");
    }

    @Test
    void adminsMuteTheWholeGroup() {
        List<String> u = users(3);
        String owner = u.get(0);
        String g = create(owner, u.subList(1, 3), "");
        String base = "/api/v1/groups/" + g;
        assertStatus(call("PUT", base + "/members/" + u.get(1) + "/role", "{\"role\":\"admin\"}", owner), 200);

        assertProblem(call("PUT", base + "/mute", null, u.get(2)), 403, "Only admins and the owner can mute the group");
        TestHttp.Response muted = call("PUT", base + "/mute", null, u.get(1));
        assertStatus(muted, 200);
        assertThat(muted.json().get("mutedAll").asBoolean()).isTrue();
        assertThat(groupDoc(g).getBoolean(StoreSchema.Group.MUTED_ALL)).isTrue();
        Document event = lastEvent(g, "group_muted");
        assertThat(event.getString(StoreSchema.Message.FROM)).isEqualTo(u.get(1));
        assertAnnounced(g, event, List.of(), List.of());
        assertThat(call("GET", base, null, u.get(2)).json().get("mutedAll").asBoolean()).isTrue();

        // muting a muted group changes nothing
        assertStatus(call("PUT", base + "/mute", null, owner), 200);
        assertProblem(call("DELETE", base + "/mute", null, u.get(2)), 403, "Only admins");
        assertStatus(call("DELETE", base + "/mute", null, owner), 204);
        assertThat(groupDoc(g).getBoolean(StoreSchema.Group.MUTED_ALL)).isFalse();
        Document unmuted = lastEvent(g, "group_unmuted");
        assertAnnounced(g, unmuted, List.of(), List.of());
        assertStatus(call("DELETE", base + "/mute", null, owner), 204);
        assertThat(eventNames(g)).containsExactly("created", "role_changed", "group_muted", "group_unmuted");
        assertSeqsStrictlyIncrease(g);
    }

    private static Document groupDoc(String groupId) {
        return db().getCollection(StoreSchema.GROUPS).find(new Document(StoreSchema.Group.ID, groupId)).first();
    }
}
