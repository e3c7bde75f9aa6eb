/*
 * Unit tests for common/model.c: status names both ways, the full table of
 * transitions and which statuses hold stock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/model.h"

static void
test_status_names(void **state)
{
	(void)state;
	assert_string_equal(order_status_name(ORDER_PENDING), "PENDING");
	assert_string_equal(order_status_name(ORDER_PAID), "PAID");
	assert_string_equal(order_status_name(ORDER_SHIPPED), "SHIPPED");
	assert_string_equal(order_status_name(ORDER_CANCELED), "CANCELED");
	assert_null(order_status_name(ORDER_NSTATUS));
	assert_null(order_status_name((enum order_status)-1));
	assert_null(order_status_name((enum order_status)99));
}

static void
test_status_parse(void **state)
{
	static const char *const bad[] = {
		"", "pending", "Pending", "paid", "PAID ", " PAID", "PAI",
		"PAIDX", "SHIP", "CANCELLED", "canceled", "0", "NSTATUS",
		"PENDING\n",
	};
	enum order_status	s;
	size_t			i;
	int			k;

	(void)state;
	/* Every name parses back to its own value. */
	for (k = 0; k < ORDER_NSTATUS; k++) {
		s = ORDER_NSTATUS;
		assert_int_equal(order_status_parse(
		    order_status_name((enum order_status)k), &s), 0);
		assert_int_equal(s, k);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		s = ORDER_NSTATUS;
		if (order_status_parse(bad[i], &s) != -1) {
			print_error("'%s' parsed as %d\n", bad[i], (int)s);
			fail();
		}
		assert_int_equal(s, ORDER_NSTATUS);
	}
}

static void
test_transition_table(void **state)
{
	/* [from][to], the contract's lifecycle; same-state moves refused. */
	static const int want[ORDER_NSTATUS][ORDER_NSTATUS] = {
		/*              PENDING PAID SHIPPED CANCELED */
		[ORDER_PENDING] = { 0,	1,   0,      1 },
		[ORDER_PAID] =	  { 0,	0,   1,      1 },
		[ORDER_SHIPPED] = { 0,	0,   0,      0 },
		[ORDER_CANCELED] = { 0,	0,   0,      0 },
	};
	int	from, to, got;

	(void)state;
	for (from = 0; from < ORDER_NSTATUS; from++) {
		for (to = 0; to < ORDER_NSTATUS; to++) {
			got = order_transition_ok((enum order_status)from,
			    (enum order_status)to);
			if (!!got != want[from][to]) {
				print_error("%s -> %s: want %d, got %d\n",
				    order_status_name((enum order_status)from),
				    order_status_name((enum order_status)to),
				    want[from][to], got);
				fail();
			}
		}
	}
}

static void
test_transition_out_of_range(void **state)
{
	int	k;

	(void)state;
	for (k = 0; k < ORDER_NSTATUS; k++) {
		assert_false(order_transition_ok((enum order_status)k,
		    ORDER_NSTATUS));
		assert_false(order_transition_ok(ORDER_NSTATUS,
		    (enum order_status)k));
		assert_false(order_transition_ok((enum order_status)-1,
		    (enum order_status)k));
		assert_false(order_transition_ok((enum order_status)k,
		    (enum order_status)-1));
	}
	assert_false(order_transition_ok((enum order_status)1000,
	    (enum order_status)1000));
}

static void
test_holds_stock(void **state)
{
	(void)state;
	assert_true(order_status_holds_stock(ORDER_PENDING));
	assert_true(order_status_holds_stock(ORDER_PAID));
	assert_true(order_status_holds_stock(ORDER_SHIPPED));
	assert_false(order_status_holds_stock(ORDER_CANCELED));
}

/* Every allowed move into CANCELED starts from a status holding stock. */
static void
test_cancel_restores_once(void **state)
{
	int	from;

	(void)state;
	for (from = 0; from < ORDER_NSTATUS; from++) {
		if (order_transition_ok((enum order_status)from,
		    ORDER_CANCELED))
			assert_true(order_status_holds_stock(
			    (enum order_status)from));
	}
	assert_false(order_transition_ok(ORDER_CANCELED, ORDER_CANCELED));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_status_parse),
		cmocka_unit_test(test_transition_table),
		cmocka_unit_test(test_transition_out_of_range),
		cmocka_unit_test(test_holds_stock),
		cmocka_unit_test(test_cancel_restores_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
