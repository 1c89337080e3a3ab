*&---------------------------------------------------------------------*
*& Include LZTIEOUTT99: ABAP Unit tests of Z_TIEOUT_POST_INCOMING_PAYMENT's
*& posting logic against a ledger double (no database, no FB05).
*& Run in SE80 / ADT: Ctrl+Shift+F10 on function group ZTIEOUT.
*& Each test mirrors a case the Tieout connector and its sandbox rely on
*& (docs/erp/sap-ecc.md, "The wrapper").
*&---------------------------------------------------------------------*
CLASS ltd_ledger DEFINITION FOR TESTING.
  PUBLIC SECTION.
    INTERFACES lif_ledger.
    DATA: mt_open        TYPE lif_ledger=>ty_open_items,
          ms_existing    TYPE lif_ledger=>ty_doc,
          ms_posted      TYPE lif_ledger=>ty_doc,
          ms_post_msg    TYPE bapiret2,
          mt_cleared     TYPE lif_ledger=>ty_open_items,
          mt_ftpost      TYPE lif_ledger=>ty_ftpost,
          mt_ftclear     TYPE lif_ledger=>ty_ftclear,
          mv_posts       TYPE i,
          mv_locked      TYPE abap_bool VALUE abap_true,
          mv_writeoff_gl TYPE hkont VALUE '0000881000'.
ENDCLASS.

CLASS ltd_ledger IMPLEMENTATION.
  METHOD lif_ledger~posted_for_reference.
    rs_doc = ms_existing.
  ENDMETHOD.
  METHOD lif_ledger~open_items.
    DATA ls_open TYPE lif_ledger=>ty_open_item.
    LOOP AT mt_open INTO ls_open.
      IF ( iv_selfd = 'XBLNR' AND ls_open-xblnr = iv_value ) OR ( iv_selfd = 'ZUONR' AND ls_open-zuonr = iv_value ).
        APPEND ls_open TO rt_items.
      ENDIF.
    ENDLOOP.
  ENDMETHOD.
  METHOD lif_ledger~cash_discount_account.
    rv_hkont = '0000880000'.
  ENDMETHOD.
  METHOD lif_ledger~writeoff_account.
    IF iv_reason = 'SHORT_PAY'.
      rv_hkont = mv_writeoff_gl.
    ENDIF.
  ENDMETHOD.
  METHOD lif_ledger~post_and_clear.
    mv_posts = mv_posts + 1.
    mt_ftpost = it_ftpost.
    mt_ftclear = it_ftclear.
    es_doc = ms_posted.
    es_message = ms_post_msg.
  ENDMETHOD.
  METHOD lif_ledger~cleared_by.
    rt_items = mt_cleared.
  ENDMETHOD.
  METHOD lif_ledger~lock_reference.
    rv_locked = mv_locked.
  ENDMETHOD.
  METHOD lif_ledger~unlock_reference.
  ENDMETHOD.
ENDCLASS.

CLASS ltc_payment_posting DEFINITION FOR TESTING DURATION SHORT RISK LEVEL HARMLESS.
  PRIVATE SECTION.
    DATA: mo_ledger  TYPE REF TO ltd_ledger,
          mo_cut     TYPE REF TO lcl_payment_posting,
          ms_header  TYPE lcl_payment_posting=>ty_header,
          mt_items   TYPE lcl_payment_posting=>ty_items.
    METHODS setup.
    METHODS add_open IMPORTING iv_xblnr TYPE xblnr1 iv_zuonr TYPE dzuonr iv_shkzg TYPE shkzg iv_wrbtr TYPE wrbtr.
    METHODS add_item IMPORTING iv_invoice TYPE char18 iv_amount TYPE wrbtr iv_disc TYPE wrbtr DEFAULT 0
                               iv_writeoff TYPE wrbtr DEFAULT 0 iv_reason TYPE char30 OPTIONAL.
    METHODS has_ftpost IMPORTING iv_fnam TYPE c iv_fval TYPE c RETURNING VALUE(rv_found) TYPE abap_bool.
    METHODS first_error RETURNING VALUE(rs_message) TYPE bapiret2.
    METHODS error_number RETURNING VALUE(rv_number) TYPE symsgno.
    METHODS error_text RETURNING VALUE(rv_text) TYPE bapi_msg.
    DATA ms_result TYPE lcl_payment_posting=>ty_result.

    METHODS posts_two_invoices_and_answers_obj_key FOR TESTING.
    METHODS leaves_residual_for_short_payment FOR TESTING.
    METHODS answers_existing_document_once FOR TESTING.
    METHODS refuses_unbalanced_amount FOR TESTING.
    METHODS refuses_more_than_open FOR TESTING.
    METHODS refuses_writeoff_without_reason FOR TESTING.
    METHODS books_discount_and_writeoff FOR TESTING.
    METHODS consumes_credit_memo FOR TESTING.
    METHODS selects_residuals_by_zuonr FOR TESTING.
    METHODS warns_when_invoice_not_cleared FOR TESTING.
    METHODS fb05_error_is_returned_as_e FOR TESTING.
    METHODS testrun_posts_nothing FOR TESTING.
ENDCLASS.

CLASS ltc_payment_posting IMPLEMENTATION.
  METHOD setup.
    CREATE OBJECT mo_ledger.
    CREATE OBJECT mo_cut EXPORTING io_ledger = mo_ledger.
    ms_header-bukrs  = '1000'.
    ms_header-kunnr  = '0000100042'.
    ms_header-blart  = 'DZ'.
    ms_header-bldat  = '20260302'.
    ms_header-budat  = '20260302'.
    ms_header-waers  = 'USD'.
    ms_header-xblnr  = '400100001'.
    ms_header-bktxt  = 'PayTrace card payment'.
    ms_header-hkont  = '0000113100'.
    ms_header-selfd  = 'XBLNR'.
    mo_ledger->ms_posted-belnr = '1400000001'.
    mo_ledger->ms_posted-gjahr = '2026'.
  ENDMETHOD.

  METHOD add_open.
    DATA ls_open TYPE lif_ledger=>ty_open_item.
    ls_open-belnr = '9000000001'. ls_open-gjahr = '2026'. ls_open-buzei = lines( mo_ledger->mt_open ) + 1.
    ls_open-xblnr = iv_xblnr. ls_open-zuonr = iv_zuonr. ls_open-shkzg = iv_shkzg.
    ls_open-wrbtr = iv_wrbtr. ls_open-waers = 'USD'.
    APPEND ls_open TO mo_ledger->mt_open.
  ENDMETHOD.

  METHOD add_item.
    DATA ls_item TYPE ztieout_s_item.
    ls_item-invoice_ref = iv_invoice.
    ls_item-amt_doccur = iv_amount.
    ls_item-alloc_nmbr = iv_invoice.
    CONCATENATE 'Inv' iv_invoice '/' ms_header-xblnr INTO ls_item-item_text SEPARATED BY space.
    ls_item-disc_amt = iv_disc.
    ls_item-writeoff_amt = iv_writeoff.
    ls_item-writeoff_rsn = iv_reason.
    APPEND ls_item TO mt_items.
    ms_header-amount = ms_header-amount + iv_amount.
  ENDMETHOD.

  METHOD has_ftpost.
    READ TABLE mo_ledger->mt_ftpost TRANSPORTING NO FIELDS WITH KEY fnam = iv_fnam fval = iv_fval.
    rv_found = boolc( sy-subrc = 0 ).
  ENDMETHOD.

  METHOD first_error.
    READ TABLE ms_result-messages INTO rs_message WITH KEY type = 'E'.
  ENDMETHOD.

  METHOD error_number.
    DATA ls_message TYPE bapiret2.
    ls_message = first_error( ).
    rv_number = ls_message-number.
  ENDMETHOD.

  METHOD error_text.
    DATA ls_message TYPE bapiret2.
    ls_message = first_error( ).
    rv_text = ls_message-message.
  ENDMETHOD.

  METHOD posts_two_invoices_and_answers_obj_key.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_open( iv_xblnr = 'INV-2' iv_zuonr = 'INV-2' iv_shkzg = 'S' iv_wrbtr = '80.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '150.00' ).
    add_item( iv_invoice = 'INV-2' iv_amount = '80.00' ).
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_equals( act = ms_result-obj_key exp = '140000000110002026' ).
    cl_abap_unit_assert=>assert_initial( first_error( ) ).
    cl_abap_unit_assert=>assert_equals( act = mo_ledger->mv_posts exp = 1 ).
    cl_abap_unit_assert=>assert_true( has_ftpost( iv_fnam = 'BKPF-XBLNR' iv_fval = '400100001' ) ).
    cl_abap_unit_assert=>assert_true( has_ftpost( iv_fnam = 'BSEG-SGTXT' iv_fval = 'Inv INV-1 / 400100001' ) ).
    cl_abap_unit_assert=>assert_true( has_ftpost( iv_fnam = 'BSEG-WRBTR' iv_fval = '230.00' ) ).
    " two selections per invoice: XBLNR and the assignment
    cl_abap_unit_assert=>assert_equals( act = lines( mo_ledger->mt_ftclear ) exp = 4 ).
  ENDMETHOD.

  METHOD leaves_residual_for_short_payment.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '100.00' ).
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_initial( first_error( ) ).
    cl_abap_unit_assert=>assert_true( has_ftpost( iv_fnam = 'BSEG-SGTXT' iv_fval = 'Residual INV-1' ) ).
    cl_abap_unit_assert=>assert_true( has_ftpost( iv_fnam = 'BSEG-WRBTR' iv_fval = '50.00' ) ).
  ENDMETHOD.

  METHOD answers_existing_document_once.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '150.00' ).
    mo_ledger->ms_existing-belnr = '1400000007'.
    mo_ledger->ms_existing-gjahr = '2026'.
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_equals( act = mo_ledger->mv_posts exp = 0 ).
    cl_abap_unit_assert=>assert_equals( act = ms_result-belnr exp = '1400000007' ).
    cl_abap_unit_assert=>assert_initial( first_error( ) ).
  ENDMETHOD.

  METHOD refuses_unbalanced_amount.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '150.00' ).
    ms_header-amount = '149.99'.
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_equals( act = error_number( ) exp = '702' ).
    cl_abap_unit_assert=>assert_equals( act = ms_result-obj_key exp = '$' ).
    cl_abap_unit_assert=>assert_equals( act = mo_ledger->mv_posts exp = 0 ).
  ENDMETHOD.

  METHOD refuses_more_than_open.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '150.01' ).
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_equals( act = error_number( ) exp = '264' ).
    cl_abap_unit_assert=>assert_equals( act = mo_ledger->mv_posts exp = 0 ).
  ENDMETHOD.

  METHOD refuses_writeoff_without_reason.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '140.00' iv_writeoff = '10.00' ).
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_equals( act = error_number( ) exp = '267' ).
    cl_abap_unit_assert=>assert_equals( act = mo_ledger->mv_posts exp = 0 ).
  ENDMETHOD.

  METHOD books_discount_and_writeoff.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '140.00' iv_disc = '3.00' iv_writeoff = '7.00' iv_reason = 'SHORT_PAY' ).
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_initial( first_error( ) ).
    cl_abap_unit_assert=>assert_true( has_ftpost( iv_fnam = 'RF05A-NEWKO' iv_fval = '0000880000' ) ).
    cl_abap_unit_assert=>assert_true( has_ftpost( iv_fnam = 'RF05A-NEWKO' iv_fval = '0000881000' ) ).
    cl_abap_unit_assert=>assert_false( has_ftpost( iv_fnam = 'BSEG-SGTXT' iv_fval = 'Residual INV-1' ) ).
  ENDMETHOD.

  METHOD consumes_credit_memo.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_open( iv_xblnr = 'CM-1' iv_zuonr = 'CM-1' iv_shkzg = 'H' iv_wrbtr = '20.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '150.00' ).
    add_item( iv_invoice = 'CM-1' iv_amount = '-20.00' ).
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_initial( first_error( ) ).
    cl_abap_unit_assert=>assert_true( has_ftpost( iv_fnam = 'RF05A-NEWBS' iv_fval = '01' ) ).
    cl_abap_unit_assert=>assert_true( has_ftpost( iv_fnam = 'BSEG-WRBTR' iv_fval = '130.00' ) ).
  ENDMETHOD.

  METHOD selects_residuals_by_zuonr.
    " an earlier residual: in a payment document, XBLNR = that payment's reference, ZUONR = the invoice
    add_open( iv_xblnr = '400099999' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '50.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '50.00' ).
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_initial( first_error( ) ).
    cl_abap_unit_assert=>assert_equals( act = mo_ledger->mv_posts exp = 1 ).
  ENDMETHOD.

  METHOD warns_when_invoice_not_cleared.
    DATA ls_message TYPE bapiret2.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '150.00' ).
    " mt_cleared stays empty: FB05 booked the document but cleared nothing
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    READ TABLE ms_result-messages INTO ls_message WITH KEY type = 'W'.
    cl_abap_unit_assert=>assert_equals( act = ls_message-number exp = '020' ).
    cl_abap_unit_assert=>assert_equals( act = ms_result-belnr exp = '1400000001' ).
  ENDMETHOD.

  METHOD fb05_error_is_returned_as_e.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '150.00' ).
    CLEAR mo_ledger->ms_posted.
    mo_ledger->ms_post_msg-type = 'S'. mo_ledger->ms_post_msg-id = 'F5'. mo_ledger->ms_post_msg-number = '201'.
    mo_ledger->ms_post_msg-message = 'Posting period 012 2026 is not open'.
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_equals( act = error_text( ) exp = 'Posting period 012 2026 is not open' ).
    cl_abap_unit_assert=>assert_equals( act = ms_result-obj_key exp = '$' ).
  ENDMETHOD.

  METHOD testrun_posts_nothing.
    add_open( iv_xblnr = 'INV-1' iv_zuonr = 'INV-1' iv_shkzg = 'S' iv_wrbtr = '150.00' ).
    add_item( iv_invoice = 'INV-1' iv_amount = '150.00' ).
    ms_header-testrun = 'X'.
    ms_result = mo_cut->post( is_header = ms_header it_items = mt_items ).
    cl_abap_unit_assert=>assert_equals( act = mo_ledger->mv_posts exp = 0 ).
    cl_abap_unit_assert=>assert_initial( first_error( ) ).
  ENDMETHOD.
ENDCLASS.
