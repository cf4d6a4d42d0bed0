package io.mqchat.embedded.mongo;

import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.bson.Document;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The index scans that together find every document a query can match: one {@link IndexScan}, or one per
 * branch of a top-level {@code $or}, or one per value of an {@code $in} on a field that starts an index
 * (sync's "recalled since" asks {@code {$or: [{from: me, ...}, {to: {$in: [me, my groups]}, ...}]}}).
 */
final class QueryPlan {

    /** More values than this in an {@code $in} are read by a full scan rather than one scan each. */
    private static final int MAX_IN_VALUES = 64;

    private final List<IndexScan> scans;

    private QueryPlan(List<IndexScan> scans) {
        this.scans = scans;
    }

    /** A plan, or null when some part of the query has no index to scan (the whole collection is read then). */
    static QueryPlan of(List<Index<Object>> indexes, Document query, Document orderBy) {
        Map<String, List<Object>> conditions = new HashMap<>();
        IndexScan.collectConditions(query, conditions);
        List<IndexScan> scans = scans(indexes, conditions, orderBy);
        if (scans == null && query.get("$or") instanceof List<?> branches && !branches.isEmpty()) {
            scans = new ArrayList<>();
            for (Object branch : branches) {
                if (!(branch instanceof Document b)) {
                    return null;
                }
                Map<String, List<Object>> merged = copy(conditions);
                IndexScan.collectConditions(b, merged);
                List<IndexScan> branchScans = scans(indexes, merged, orderBy);
                if (branchScans == null) {
                    return null;
                }
                scans.addAll(branchScans);
            }
        }
        return scans == null ? null : new QueryPlan(scans);
    }

    /** One scan, or one per value of an {@code $in}; null if there is none. */
    private static List<IndexScan> scans(List<Index<Object>> indexes, Map<String, List<Object>> conditions,
                                         Document orderBy) {
        IndexScan one = IndexScan.plan(indexes, conditions, orderBy);
        if (one != null) {
            return List.of(one);
        }
        for (Map.Entry<String, List<Object>> field : conditions.entrySet()) {
            List<Object> values = inValues(field.getValue());
            if (values == null) {
                continue;
            }
            List<IndexScan> scans = new ArrayList<>();
            for (Object value : values) {
                Map<String, List<Object>> fixed = copy(conditions);
                fixed.get(field.getKey()).add(0, value);
                IndexScan scan = IndexScan.plan(indexes, fixed, orderBy);
                if (scan == null) {
                    scans = null;
                    break;
                }
                scans.add(scan);
            }
            if (scans != null) {
                return scans;
            }
        }
        return null;
    }

    /** The values of an {@code {$in: [...]}} condition, when each is an equality value and there are few. */
    private static List<Object> inValues(List<Object> conditions) {
        for (Object condition : conditions) {
            if (condition instanceof Document d && d.size() == 1 && d.get("$in") instanceof List<?> list
                    && !list.isEmpty() && list.size() <= MAX_IN_VALUES
                    && list.stream().allMatch(IndexScan::isEqualityValue)) {
                return new ArrayList<>(list);
            }
        }
        return null;
    }

    private static Map<String, List<Object>> copy(Map<String, List<Object>> conditions) {
        Map<String, List<Object>> copy = new HashMap<>();
        conditions.forEach((field, list) -> copy.put(field, new ArrayList<>(list)));
        return copy;
    }

    /** The scan, when there is exactly one (only one scan reads in an order). */
    IndexScan single() {
        return scans.size() == 1 ? scans.get(0) : null;
    }

    /** Every position the scans find, each once. */
    Collection<Object> positions() {
        Set<Object> positions = new LinkedHashSet<>();
        for (IndexScan scan : scans) {
            positions.addAll(scan.allPositions());
        }
        return positions;
    }
}
