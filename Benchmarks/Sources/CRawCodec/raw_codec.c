// protobuf-c called from C directly: the codec benchmark's limit. The message
// contents match BigRPCSamples (Sources/bigbench/BigRPCSide.swift) field for field.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "raw_codec.h"
#include "bench/v1/order.pb-c.h"

#define ITEMS 10

static const char *item_tags[2] = {"black-friday", "eletr\xc3\xb4nicos"};

/// Fills `order` (and the storage it points to) the way C code builds a message.
typedef struct {
    Bench__V1__Order order;
    Bench__V1__OrderItem items[ITEMS];
    Bench__V1__OrderItem *item_ptrs[ITEMS];
    Bench__V1__Money prices[ITEMS];
    char product_ids[ITEMS][48];
    Bench__V1__Money total;
    Bench__V1__Address address;
} OrderStorage;

static void fill_order(OrderStorage *s) {
    Bench__V1__Order order = BENCH__V1__ORDER__INIT;
    s->order = order;
    s->order.id = "ord_8f14e45fceea167a5a36dedd4bea2543";
    s->order.customer_id = "usr_c9f0f895fb98ab9159f51fd0297e236d";
    int64_t sum = 0;
    for (int i = 0; i < ITEMS; i++) {
        Bench__V1__OrderItem item = BENCH__V1__ORDER_ITEM__INIT;
        Bench__V1__Money price = BENCH__V1__MONEY__INIT;
        s->items[i] = item;
        s->prices[i] = price;
        s->prices[i].cents = 899900 + i;
        s->prices[i].currency = "BRL";
        memcpy(s->product_ids[i], "prd_0", 5);
        s->product_ids[i][5] = (char)('0' + i);
        memcpy(s->product_ids[i] + 6, "_a87ff679a2f3e71d9181a67b7542122c", 34);
        s->items[i].product_id = s->product_ids[i];
        s->items[i].name = "iPhone 15 Pro Max 256 GB Tit\xc3\xa2nio Natural";
        s->items[i].quantity = i + 1;
        s->items[i].unit_price = &s->prices[i];
        s->items[i].n_tags = 2;
        s->items[i].tags = (char **)item_tags;
        s->item_ptrs[i] = &s->items[i];
        sum += (int64_t)(899900 + i) * (i + 1);
    }
    s->order.n_items = ITEMS;
    s->order.items = s->item_ptrs;
    Bench__V1__Money total = BENCH__V1__MONEY__INIT;
    s->total = total;
    s->total.cents = sum;
    s->total.currency = "BRL";
    s->order.total = &s->total;
    s->order.status = BENCH__V1__ORDER_STATUS__ORDER_STATUS_PENDING_PAYMENT;
    s->order.created_at_ms = 1764374400000LL;
    Bench__V1__Address address = BENCH__V1__ADDRESS__INIT;
    s->address = address;
    s->address.street = "Avenida Paulista, 1578 - Bela Vista";
    s->address.city = "S\xc3\xa3o Paulo";
    s->address.state = "SP";
    s->address.postal_code = "01310-200";
    s->order.shipping_address = &s->address;
}

static void fill_small(Bench__V1__Reservation *r) {
    Bench__V1__Reservation init = BENCH__V1__RESERVATION__INIT;
    *r = init;
    r->id = "rsv_1679091c5a880faf6fb5e6087eb1b2dc";
    r->campaign_id = "cmp_45c48cce2e2d7fbdea1afc51c7c6ad26";
    r->drop_index = 13;
    r->order_id = "ord_d3d9446802a44259755d38e6d163e820";
    r->expires_at_ms = 1764375000000LL;
}

static uint8_t *encode_order(size_t *size) {
    OrderStorage s;
    fill_order(&s);
    *size = bench__v1__order__get_packed_size(&s.order);
    uint8_t *buffer = malloc(*size);
    bench__v1__order__pack(&s.order, buffer);
    return buffer;
}

uint64_t bench_c_order_roundtrip(int iterations) {
    uint64_t check = 0;
    for (int n = 0; n < iterations; n++) {
        size_t size;
        uint8_t *buffer = encode_order(&size);
        Bench__V1__Order *decoded = bench__v1__order__unpack(NULL, size, buffer);
        if (decoded == NULL) abort();
        check += decoded->n_items + (uint64_t)decoded->total->cents + strlen(decoded->items[9]->name);
        bench__v1__order__free_unpacked(decoded, NULL);
        free(buffer);
    }
    return check;
}

uint64_t bench_c_order_encode(int iterations) {
    uint64_t check = 0;
    for (int n = 0; n < iterations; n++) {
        size_t size;
        uint8_t *buffer = encode_order(&size);
        check += size + buffer[size - 1];
        free(buffer);
    }
    return check;
}

uint64_t bench_c_order_decode(int iterations) {
    size_t size;
    uint8_t *buffer = encode_order(&size);
    uint64_t check = 0;
    for (int n = 0; n < iterations; n++) {
        Bench__V1__Order *decoded = bench__v1__order__unpack(NULL, size, buffer);
        if (decoded == NULL) abort();
        check += decoded->n_items + strlen(decoded->items[9]->name);
        bench__v1__order__free_unpacked(decoded, NULL);
    }
    free(buffer);
    return check;
}

uint64_t bench_c_small_roundtrip(int iterations) {
    uint64_t check = 0;
    for (int n = 0; n < iterations; n++) {
        Bench__V1__Reservation r;
        fill_small(&r);
        size_t size = bench__v1__reservation__get_packed_size(&r);
        uint8_t *buffer = malloc(size);
        bench__v1__reservation__pack(&r, buffer);
        Bench__V1__Reservation *decoded = bench__v1__reservation__unpack(NULL, size, buffer);
        if (decoded == NULL) abort();
        check += (uint64_t)decoded->drop_index + strlen(decoded->order_id);
        bench__v1__reservation__free_unpacked(decoded, NULL);
        free(buffer);
    }
    return check;
}

size_t bench_c_order_size(void) {
    size_t size;
    free(encode_order(&size));
    return size;
}

size_t bench_c_small_size(void) {
    Bench__V1__Reservation r;
    fill_small(&r);
    return bench__v1__reservation__get_packed_size(&r);
}
