*&---------------------------------------------------------------------*
*& Function group ZTIEOUT, function module Z_TIEOUT_POST_INCOMING_PAYMENT
*& The posting wrapper Tieout calls over SOAP-RFC (docs/erp/sap-ecc.md).
*&
*& One call = one incoming payment: idempotency check by reference, post +
*& clear through the FI posting interface (FB05, "EINGZAHL"), read back what
*& the document cleared, answer OBJ_KEY + RETURN. Classic ABAP syntax; the unit
*& tests use CL_ABAP_UNIT_ASSERT and BOOLC (NW 7.02, ECC 6.0 EHP 4 and later). Attributes in SE37:
*& processing type "Remote-Enabled Module", all parameters pass-by-value.
*&
*& Dictionary objects (create before the function module, see the transport
*& list in docs/erp/sap-ecc.md):
*&   ZTIEOUT_S_ITEM  structure  INVOICE_REF CHAR18, AMT_DOCCUR WRBTR (signed,
*&                              see below), ALLOC_NMBR DZUONR, ITEM_TEXT SGTXT,
*&                              DISC_AMT WRBTR, WRITEOFF_AMT WRBTR,
*&                              WRITEOFF_RSN CHAR30
*&   ZTIEOUT_T_ITEM  table type of ZTIEOUT_S_ITEM
*&   ZTIEOUT_WO      table      MANDT, WRITEOFF_RSN CHAR30 (key), BUKRS (key),
*&                              HKONT: G/L account per Tieout write-off reason
*&
*& AMT_DOCCUR is signed: > 0 pays INVOICE_REF (or goes on account when
*& INVOICE_REF is blank), < 0 consumes the open credit memo INVOICE_REF.
*&---------------------------------------------------------------------*
FUNCTION z_tieout_post_incoming_payment.
*"----------------------------------------------------------------------
*"*"Local Interface:
*"  IMPORTING
*"     VALUE(COMPANYCODE) TYPE  BUKRS
*"     VALUE(CUSTOMER) TYPE  KUNNR
*"     VALUE(DOC_TYPE) TYPE  BLART
*"     VALUE(DOC_DATE) TYPE  BLDAT
*"     VALUE(PSTNG_DATE) TYPE  BUDAT
*"     VALUE(CURRENCY) TYPE  WAERS
*"     VALUE(REF_DOC_NO) TYPE  XBLNR1
*"     VALUE(HEADER_TXT) TYPE  BKTXT
*"     VALUE(GL_ACCOUNT) TYPE  HKONT
*"     VALUE(AMOUNT) TYPE  WRBTR
*"     VALUE(CLEARING_FIELD) TYPE  FIELDNAME DEFAULT 'XBLNR'
*"     VALUE(TESTRUN) TYPE  XFELD DEFAULT SPACE
*"     VALUE(DISC_GL_ACCOUNT) TYPE  HKONT OPTIONAL
*"  EXPORTING
*"     VALUE(OBJ_TYPE) TYPE  AWTYP
*"     VALUE(OBJ_KEY) TYPE  AWKEY
*"     VALUE(OBJ_SYS) TYPE  AWSYS
*"     VALUE(BELNR) TYPE  BELNR_D
*"     VALUE(GJAHR) TYPE  GJAHR
*"  TABLES
*"      ITEMS STRUCTURE  ZTIEOUT_S_ITEM
*"      RETURN STRUCTURE  BAPIRET2
*"----------------------------------------------------------------------
  DATA: lo_ledger  TYPE REF TO lcl_fi_ledger,
        lo_posting TYPE REF TO lcl_payment_posting,
        ls_header  TYPE lcl_payment_posting=>ty_header,
        ls_result  TYPE lcl_payment_posting=>ty_result.

  ls_header-bukrs      = companycode.
  ls_header-kunnr      = customer.
  ls_header-blart      = doc_type.
  ls_header-bldat      = doc_date.
  ls_header-budat      = pstng_date.
  ls_header-waers      = currency.
  ls_header-xblnr      = ref_doc_no.
  ls_header-bktxt      = header_txt.
  ls_header-hkont      = gl_account.
  ls_header-amount     = amount.
  ls_header-selfd      = clearing_field.
  ls_header-testrun    = testrun.
  ls_header-disc_hkont = disc_gl_account.

  CREATE OBJECT lo_ledger.
  CREATE OBJECT lo_posting EXPORTING io_ledger = lo_ledger.
  ls_result = lo_posting->post( is_header = ls_header it_items = items[] ).

  obj_type = ls_result-obj_type.
  obj_key  = ls_result-obj_key.
  obj_sys  = ls_result-obj_sys.
  belnr    = ls_result-belnr.
  gjahr    = ls_result-gjahr.
  return[] = ls_result-messages.
ENDFUNCTION.

*&---------------------------------------------------------------------*
*& Include LZTIEOUTD01 (included from LZTIEOUTTOP, so the function module
*& sees the classes): the ledger seam (real FI below, a double in the ABAP
*& Unit tests) and the posting logic. lcl_fi_ledger's DEFINITION belongs
*& here too; its IMPLEMENTATION in LZTIEOUTP01.
*&---------------------------------------------------------------------*
INTERFACE lif_ledger.
  TYPES: BEGIN OF ty_open_item,
           belnr TYPE belnr_d,
           gjahr TYPE gjahr,
           buzei TYPE buzei,
           shkzg TYPE shkzg,
           wrbtr TYPE wrbtr,
           waers TYPE waers,
           zuonr TYPE dzuonr,
           xblnr TYPE xblnr1,
           sgtxt TYPE sgtxt,
         END OF ty_open_item,
         ty_open_items TYPE STANDARD TABLE OF ty_open_item WITH DEFAULT KEY,
         BEGIN OF ty_doc,
           belnr TYPE belnr_d,
           gjahr TYPE gjahr,
         END OF ty_doc,
         ty_ftpost  TYPE STANDARD TABLE OF ftpost WITH DEFAULT KEY,
         ty_ftclear TYPE STANDARD TABLE OF ftclear WITH DEFAULT KEY.

  "! The payment already posted for this reference (not reversed), initial when none.
  METHODS posted_for_reference
    IMPORTING iv_bukrs TYPE bukrs iv_kunnr TYPE kunnr iv_blart TYPE blart
              iv_xblnr TYPE xblnr1 iv_zuonr TYPE dzuonr
    RETURNING VALUE(rs_doc) TYPE ty_doc.
  "! Open customer items (BSID) whose selection field (XBLNR/ZUONR/BELNR/VBELN) holds iv_value.
  METHODS open_items
    IMPORTING iv_bukrs TYPE bukrs iv_kunnr TYPE kunnr iv_selfd TYPE fieldname iv_value TYPE char18
    RETURNING VALUE(rt_items) TYPE ty_open_items.
  "! Cash-discount account from account determination (T030, transaction key SKT).
  METHODS cash_discount_account
    IMPORTING iv_bukrs TYPE bukrs
    RETURNING VALUE(rv_hkont) TYPE hkont.
  "! G/L account of a Tieout write-off reason (ZTIEOUT_WO), initial when not maintained.
  METHODS writeoff_account
    IMPORTING iv_bukrs TYPE bukrs iv_reason TYPE char30
    RETURNING VALUE(rv_hkont) TYPE hkont.
  "! Posts and clears through POSTING_INTERFACE_START/_CLEARING/_END; FB05 commits itself.
  METHODS post_and_clear
    IMPORTING it_ftpost TYPE ty_ftpost it_ftclear TYPE ty_ftclear
    EXPORTING es_doc TYPE ty_doc es_message TYPE bapiret2.
  "! Customer items the document cleared (BSAD, AUGBL = the payment), for the read-back.
  METHODS cleared_by
    IMPORTING iv_bukrs TYPE bukrs iv_kunnr TYPE kunnr is_doc TYPE ty_doc
    RETURNING VALUE(rt_items) TYPE ty_open_items.
  "! Serialises posts of one reference across work processes.
  METHODS lock_reference
    IMPORTING iv_bukrs TYPE bukrs iv_reference TYPE char18
    RETURNING VALUE(rv_locked) TYPE abap_bool.
  METHODS unlock_reference
    IMPORTING iv_bukrs TYPE bukrs iv_reference TYPE char18.
ENDINTERFACE.

CLASS lcl_payment_posting DEFINITION.
  PUBLIC SECTION.
    TYPES: BEGIN OF ty_header,
             bukrs      TYPE bukrs,
             kunnr      TYPE kunnr,
             blart      TYPE blart,
             bldat      TYPE bldat,
             budat      TYPE budat,
             waers      TYPE waers,
             xblnr      TYPE xblnr1,
             bktxt      TYPE bktxt,
             hkont      TYPE hkont,
             amount     TYPE wrbtr,
             selfd      TYPE fieldname,
             testrun    TYPE xfeld,
             disc_hkont TYPE hkont,
           END OF ty_header,
           ty_items    TYPE STANDARD TABLE OF ztieout_s_item WITH DEFAULT KEY,
           ty_messages TYPE STANDARD TABLE OF bapiret2 WITH DEFAULT KEY,
           BEGIN OF ty_result,
             obj_type TYPE awtyp,
             obj_key  TYPE awkey,
             obj_sys  TYPE awsys,
             belnr    TYPE belnr_d,
             gjahr    TYPE gjahr,
             messages TYPE ty_messages,
           END OF ty_result.
    CONSTANTS gc_msgid TYPE symsgid VALUE 'ZTIEOUT'.
    METHODS constructor IMPORTING io_ledger TYPE REF TO lif_ledger.
    METHODS post
      IMPORTING is_header TYPE ty_header it_items TYPE ty_items
      RETURNING VALUE(rs_result) TYPE ty_result.
    "! The FTPOST rows of a checked payment (public for the unit tests).
    METHODS build_ftpost
      IMPORTING is_header TYPE ty_header it_items TYPE ty_items
      RETURNING VALUE(rt_ftpost) TYPE lif_ledger=>ty_ftpost.
  PRIVATE SECTION.
    DATA mo_ledger TYPE REF TO lif_ledger.
    DATA mt_messages TYPE ty_messages.
    TYPES: BEGIN OF ty_open_amount,
             invoice_ref TYPE char18,
             open        TYPE wrbtr,
           END OF ty_open_amount.
    "! Open amount per INVOICE_REF (signed: invoices > 0, credit memos < 0), filled by check.
    DATA mt_open TYPE STANDARD TABLE OF ty_open_amount WITH DEFAULT KEY.
    METHODS check IMPORTING is_header TYPE ty_header it_items TYPE ty_items.
    METHODS open_of IMPORTING is_header TYPE ty_header iv_invoice TYPE char18
                    RETURNING VALUE(rv_open) TYPE wrbtr.
    METHODS add_ftpost IMPORTING iv_stype TYPE c iv_count TYPE i iv_fnam TYPE c iv_fval TYPE any
                       CHANGING ct_ftpost TYPE lif_ledger=>ty_ftpost.
    METHODS error IMPORTING iv_number TYPE symsgno iv_v1 TYPE any OPTIONAL iv_v2 TYPE any OPTIONAL
                            iv_v3 TYPE any OPTIONAL iv_text TYPE string.
    METHODS reference_of IMPORTING is_header TYPE ty_header it_items TYPE ty_items
                         RETURNING VALUE(rv_reference) TYPE char18.
    METHODS obj_key_of IMPORTING is_header TYPE ty_header is_doc TYPE lif_ledger=>ty_doc
                       RETURNING VALUE(rv_key) TYPE awkey.
ENDCLASS.

CLASS lcl_payment_posting IMPLEMENTATION.
  METHOD constructor.
    mo_ledger = io_ledger.
  ENDMETHOD.

  METHOD post.
    DATA: lv_reference TYPE char18,
          ls_existing  TYPE lif_ledger=>ty_doc,
          ls_doc       TYPE lif_ledger=>ty_doc,
          ls_message   TYPE bapiret2,
          lt_ftclear   TYPE lif_ledger=>ty_ftclear,
          ls_ftclear   TYPE ftclear,
          lt_cleared   TYPE lif_ledger=>ty_open_items,
          ls_item      TYPE ztieout_s_item,
          lv_zuonr     TYPE dzuonr.

    CLEAR: mt_messages, mt_open.
    rs_result-obj_key = '$'.
    lv_reference = reference_of( is_header = is_header it_items = it_items ).
    IF lv_reference IS INITIAL.
      error( iv_number = '001' iv_text = 'REF_DOC_NO or ALLOC_NMBR must carry the PayTrace reference' ).
      rs_result-messages = mt_messages.
      RETURN.
    ENDIF.
    IF mo_ledger->lock_reference( iv_bukrs = is_header-bukrs iv_reference = lv_reference ) = abap_false.
      error( iv_number = '002' iv_v1 = lv_reference iv_text = 'Reference &1 is being posted by another call' ).
      rs_result-messages = mt_messages.
      RETURN.
    ENDIF.

    " Exactly once: a payment already carrying the reference is answered, never posted again.
    IF is_header-xblnr IS INITIAL.
      lv_zuonr = lv_reference.
    ENDIF.
    ls_existing = mo_ledger->posted_for_reference( iv_bukrs = is_header-bukrs iv_kunnr = is_header-kunnr
      iv_blart = is_header-blart iv_xblnr = is_header-xblnr iv_zuonr = lv_zuonr ).
    IF ls_existing IS NOT INITIAL.
      rs_result-obj_type = 'BKPF'.
      rs_result-obj_key  = obj_key_of( is_header = is_header is_doc = ls_existing ).
      rs_result-belnr    = ls_existing-belnr.
      rs_result-gjahr    = ls_existing-gjahr.
      CLEAR ls_message.
      ls_message-type = 'I'. ls_message-id = gc_msgid. ls_message-number = '010'.
      ls_message-message_v1 = ls_existing-belnr. ls_message-message_v2 = lv_reference.
      CONCATENATE 'Document' ls_existing-belnr 'already carries reference' lv_reference INTO ls_message-message SEPARATED BY space.
      APPEND ls_message TO rs_result-messages.
      mo_ledger->unlock_reference( iv_bukrs = is_header-bukrs iv_reference = lv_reference ).
      RETURN.
    ENDIF.

    check( is_header = is_header it_items = it_items ).
    IF mt_messages IS NOT INITIAL OR is_header-testrun = 'X'.
      IF mt_messages IS INITIAL.
        CLEAR ls_message.
        ls_message-type = 'S'. ls_message-id = 'RW'. ls_message-number = '614'.
        ls_message-message = 'Document check without errors'.
        APPEND ls_message TO mt_messages.
      ENDIF.
      rs_result-messages = mt_messages.
      mo_ledger->unlock_reference( iv_bukrs = is_header-bukrs iv_reference = lv_reference ).
      RETURN.
    ENDIF.

    " Every open item of every INVOICE_REF is selected (FB05 "select by" XBLNR/ZUONR/BELNR/VBELN), and
    " by assignment too: an earlier residual item sits in a payment document (its XBLNR is that
    " payment's reference) and carries the invoice number only in ZUONR.
    LOOP AT it_items INTO ls_item WHERE invoice_ref IS NOT INITIAL.
      CLEAR ls_ftclear.
      ls_ftclear-agkoa  = 'D'.
      ls_ftclear-agkon  = is_header-kunnr.
      ls_ftclear-agbuk  = is_header-bukrs.
      ls_ftclear-xnops  = 'X'.
      ls_ftclear-selfd  = is_header-selfd.
      ls_ftclear-selvon = ls_item-invoice_ref.
      APPEND ls_ftclear TO lt_ftclear.
      IF is_header-selfd <> 'ZUONR'.
        ls_ftclear-selfd = 'ZUONR'.
        APPEND ls_ftclear TO lt_ftclear.
      ENDIF.
    ENDLOOP.

    mo_ledger->post_and_clear( EXPORTING it_ftpost = build_ftpost( is_header = is_header it_items = it_items )
                                         it_ftclear = lt_ftclear
                               IMPORTING es_doc = ls_doc es_message = ls_message ).
    IF ls_doc IS INITIAL.
      " FB05 posted nothing: its message (type E/A, or the S/W it stopped with) is the reason.
      IF ls_message-type <> 'E' AND ls_message-type <> 'A'.
        ls_message-type = 'E'.
      ENDIF.
      APPEND ls_message TO rs_result-messages.
      mo_ledger->unlock_reference( iv_bukrs = is_header-bukrs iv_reference = lv_reference ).
      RETURN.
    ENDIF.

    rs_result-obj_type = 'BKPF'.
    rs_result-obj_key  = obj_key_of( is_header = is_header is_doc = ls_doc ).
    rs_result-obj_sys  = sy-sysid.
    rs_result-belnr    = ls_doc-belnr.
    rs_result-gjahr    = ls_doc-gjahr.
    CLEAR ls_message.
    ls_message-type = 'S'. ls_message-id = 'F5'. ls_message-number = '312'.
    ls_message-message_v1 = ls_doc-belnr. ls_message-message_v2 = is_header-bukrs.
    CONCATENATE 'Document' ls_doc-belnr 'was posted in company code' is_header-bukrs INTO ls_message-message SEPARATED BY space.
    APPEND ls_message TO rs_result-messages.

    " Read-back: an invoice the document did not clear is reported (the payment is booked, so this is
    " a warning Tieout's own read-back turns into a partial booking; nothing is rolled back).
    lt_cleared = mo_ledger->cleared_by( iv_bukrs = is_header-bukrs iv_kunnr = is_header-kunnr is_doc = ls_doc ).
    LOOP AT it_items INTO ls_item WHERE invoice_ref IS NOT INITIAL.
      READ TABLE lt_cleared TRANSPORTING NO FIELDS WITH KEY xblnr = ls_item-invoice_ref.
      IF sy-subrc <> 0.
        READ TABLE lt_cleared TRANSPORTING NO FIELDS WITH KEY zuonr = ls_item-invoice_ref.
      ENDIF.
      IF sy-subrc <> 0 AND is_header-selfd <> 'XBLNR' AND is_header-selfd <> 'ZUONR'.
        sy-subrc = 0. " BELNR/VBELN selections: BSAD keeps no copy of the value to compare; trust FB05
      ENDIF.
      IF sy-subrc <> 0.
        CLEAR ls_message.
        ls_message-type = 'W'. ls_message-id = gc_msgid. ls_message-number = '020'.
        ls_message-message_v1 = ls_item-invoice_ref. ls_message-message_v2 = ls_doc-belnr.
        CONCATENATE 'Invoice' ls_item-invoice_ref 'was not cleared by document' ls_doc-belnr INTO ls_message-message SEPARATED BY space.
        APPEND ls_message TO rs_result-messages.
      ENDIF.
    ENDLOOP.
    mo_ledger->unlock_reference( iv_bukrs = is_header-bukrs iv_reference = lv_reference ).
  ENDMETHOD.

  METHOD check.
    DATA: ls_item  TYPE ztieout_s_item,
          lv_sum   TYPE wrbtr,
          lv_open  TYPE wrbtr,
          lv_close TYPE wrbtr,
          lt_seen  TYPE STANDARD TABLE OF char18 WITH DEFAULT KEY,
          ls_open_amount TYPE ty_open_amount.

    IF it_items IS INITIAL.
      error( iv_number = '780' iv_text = 'No customer items were transferred' ).
    ENDIF.
    IF is_header-amount <= 0.
      error( iv_number = '701' iv_text = 'The payment amount must be positive' ).
    ENDIF.
    LOOP AT it_items INTO ls_item.
      lv_sum = lv_sum + ls_item-amt_doccur.
      IF ls_item-amt_doccur = 0.
        error( iv_number = '701' iv_text = 'Amounts must not be zero' ).
      ENDIF.
      IF ls_item-amt_doccur < 0 AND ls_item-invoice_ref IS INITIAL.
        error( iv_number = '701' iv_text = 'A negative amount must name the credit memo it clears' ).
      ENDIF.
      IF ls_item-disc_amt < 0 OR ls_item-writeoff_amt < 0.
        error( iv_number = '701' iv_text = 'Cash discount and write-off amounts must not be negative' ).
      ENDIF.
      IF ( ls_item-disc_amt > 0 OR ls_item-writeoff_amt > 0 ) AND ( ls_item-amt_doccur <= 0 OR ls_item-invoice_ref IS INITIAL ).
        error( iv_number = '266' iv_v1 = ls_item-invoice_ref iv_text = 'Cash discount or write-off on &1 needs a payment of an open invoice' ).
      ENDIF.
      IF ls_item-writeoff_amt > 0.
        IF ls_item-writeoff_rsn IS INITIAL.
          error( iv_number = '267' iv_v1 = ls_item-invoice_ref iv_text = 'Enter a reason code for the payment difference on &1' ).
        ELSEIF mo_ledger->writeoff_account( iv_bukrs = is_header-bukrs iv_reason = ls_item-writeoff_rsn ) IS INITIAL.
          error( iv_number = '268' iv_v1 = ls_item-writeoff_rsn iv_text = 'Write-off reason &1 has no G/L account in ZTIEOUT_WO' ).
        ENDIF.
      ENDIF.
      IF ls_item-invoice_ref IS INITIAL.
        CONTINUE.
      ENDIF.
      READ TABLE lt_seen TRANSPORTING NO FIELDS WITH KEY table_line = ls_item-invoice_ref.
      IF sy-subrc = 0.
        error( iv_number = '265' iv_v1 = ls_item-invoice_ref iv_text = 'Invoice &1 appears twice' ).
        CONTINUE.
      ENDIF.
      APPEND ls_item-invoice_ref TO lt_seen.
      lv_open = open_of( is_header = is_header iv_invoice = ls_item-invoice_ref ).
      ls_open_amount-invoice_ref = ls_item-invoice_ref.
      ls_open_amount-open = lv_open.
      APPEND ls_open_amount TO mt_open.
      lv_close = abs( ls_item-amt_doccur ) + ls_item-disc_amt + ls_item-writeoff_amt.
      IF ( ls_item-amt_doccur > 0 AND lv_open <= 0 ) OR ( ls_item-amt_doccur < 0 AND lv_open >= 0 ).
        error( iv_number = '263' iv_v1 = is_header-selfd iv_v2 = ls_item-invoice_ref iv_v3 = is_header-kunnr
               iv_text = 'No open item found for &1 &2 of customer &3' ).
      ELSEIF lv_close > abs( lv_open ).
        error( iv_number = '264' iv_v1 = lv_close iv_v2 = ls_item-invoice_ref iv_text = 'Amount &1 exceeds the open amount of &2' ).
      ENDIF.
    ENDLOOP.
    IF lv_sum <> is_header-amount.
      error( iv_number = '702' iv_v1 = is_header-waers iv_text = 'Balance in transaction currency (&1)' ).
    ENDIF.
    IF is_header-disc_hkont IS INITIAL.
      LOOP AT it_items INTO ls_item WHERE disc_amt > 0.
        IF mo_ledger->cash_discount_account( is_header-bukrs ) IS INITIAL.
          error( iv_number = '269' iv_text = 'No cash-discount account (T030 SKT) and no DISC_GL_ACCOUNT' ).
        ENDIF.
        EXIT.
      ENDLOOP.
    ENDIF.
  ENDMETHOD.

  METHOD open_of.
    DATA: lt_items   TYPE lif_ledger=>ty_open_items,
          lt_by_zuonr TYPE lif_ledger=>ty_open_items,
          ls_open    TYPE lif_ledger=>ty_open_item.
    " The same selection FB05 gets: the invoice field, plus the assignment (residual items).
    lt_items = mo_ledger->open_items( iv_bukrs = is_header-bukrs iv_kunnr = is_header-kunnr
                                      iv_selfd = is_header-selfd iv_value = iv_invoice ).
    IF is_header-selfd <> 'ZUONR'.
      lt_by_zuonr = mo_ledger->open_items( iv_bukrs = is_header-bukrs iv_kunnr = is_header-kunnr
                                           iv_selfd = 'ZUONR' iv_value = iv_invoice ).
      LOOP AT lt_by_zuonr INTO ls_open.
        READ TABLE lt_items TRANSPORTING NO FIELDS WITH KEY belnr = ls_open-belnr gjahr = ls_open-gjahr buzei = ls_open-buzei.
        IF sy-subrc <> 0.
          APPEND ls_open TO lt_items.
        ENDIF.
      ENDLOOP.
    ENDIF.
    LOOP AT lt_items INTO ls_open.
      IF ls_open-waers <> is_header-waers.
        error( iv_number = '151' iv_v1 = iv_invoice iv_v2 = ls_open-waers iv_text = 'Invoice &1 is in &2' ).
        rv_open = 0.
        RETURN.
      ENDIF.
      IF ls_open-shkzg = 'S'.
        rv_open = rv_open + ls_open-wrbtr.
      ELSE.
        rv_open = rv_open - ls_open-wrbtr.
      ENDIF.
    ENDLOOP.
  ENDMETHOD.

  METHOD build_ftpost.
    DATA: ls_item   TYPE ztieout_s_item,
          lv_count  TYPE i VALUE 1,
          lv_open   TYPE wrbtr,
          lv_rest   TYPE wrbtr,
          lv_amount TYPE wrbtr,
          lv_hkont  TYPE hkont,
          lv_text   TYPE sgtxt,
          ls_open   TYPE ty_open_amount.

    " Header: FB05 takes dates and amounts in the RFC user's format, so they go through WRITE (add_ftpost).
    add_ftpost( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-BLDAT' iv_fval = is_header-bldat CHANGING ct_ftpost = rt_ftpost ).
    add_ftpost( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-BUDAT' iv_fval = is_header-budat CHANGING ct_ftpost = rt_ftpost ).
    add_ftpost( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-BLART' iv_fval = is_header-blart CHANGING ct_ftpost = rt_ftpost ).
    add_ftpost( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-BUKRS' iv_fval = is_header-bukrs CHANGING ct_ftpost = rt_ftpost ).
    add_ftpost( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-WAERS' iv_fval = is_header-waers CHANGING ct_ftpost = rt_ftpost ).
    add_ftpost( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-XBLNR' iv_fval = is_header-xblnr CHANGING ct_ftpost = rt_ftpost ).
    add_ftpost( EXPORTING iv_stype = 'K' iv_count = 1 iv_fnam = 'BKPF-BKTXT' iv_fval = is_header-bktxt CHANGING ct_ftpost = rt_ftpost ).

    " The bank debit (posting key 40) of the whole cash.
    add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWBS' iv_fval = '40' CHANGING ct_ftpost = rt_ftpost ).
    add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWKO' iv_fval = is_header-hkont CHANGING ct_ftpost = rt_ftpost ).
    add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-WRBTR' iv_fval = is_header-amount CHANGING ct_ftpost = rt_ftpost ).
    add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-ZUONR' iv_fval = is_header-xblnr CHANGING ct_ftpost = rt_ftpost ).

    LOOP AT it_items INTO ls_item.
      " The customer line Tieout reads back: credit (15) for cash, debit (01) for a credit memo consumed.
      lv_count = lv_count + 1.
      lv_amount = abs( ls_item-amt_doccur ).
      IF ls_item-amt_doccur > 0.
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWBS' iv_fval = '15' CHANGING ct_ftpost = rt_ftpost ).
      ELSE.
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWBS' iv_fval = '01' CHANGING ct_ftpost = rt_ftpost ).
      ENDIF.
      add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWKO' iv_fval = is_header-kunnr CHANGING ct_ftpost = rt_ftpost ).
      add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-WRBTR' iv_fval = lv_amount CHANGING ct_ftpost = rt_ftpost ).
      add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-ZUONR' iv_fval = ls_item-alloc_nmbr CHANGING ct_ftpost = rt_ftpost ).
      add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-SGTXT' iv_fval = ls_item-item_text CHANGING ct_ftpost = rt_ftpost ).
      IF ls_item-invoice_ref IS INITIAL.
        CONTINUE. " on account: not cleared
      ENDIF.

      " The selected items are cleared whole; what the payment does not settle stays open as a
      " residual item (01 for an invoice, 11 for a credit memo) assigned to the invoice's own number.
      CLEAR: lv_open, ls_open.
      READ TABLE mt_open INTO ls_open WITH KEY invoice_ref = ls_item-invoice_ref.
      lv_open = ls_open-open.
      lv_rest = abs( lv_open ) - lv_amount - ls_item-disc_amt - ls_item-writeoff_amt.
      IF lv_rest > 0.
        lv_count = lv_count + 1.
        IF lv_open > 0.
          add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWBS' iv_fval = '01' CHANGING ct_ftpost = rt_ftpost ).
        ELSE.
          add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWBS' iv_fval = '11' CHANGING ct_ftpost = rt_ftpost ).
        ENDIF.
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWKO' iv_fval = is_header-kunnr CHANGING ct_ftpost = rt_ftpost ).
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-WRBTR' iv_fval = lv_rest CHANGING ct_ftpost = rt_ftpost ).
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-ZUONR' iv_fval = ls_item-invoice_ref CHANGING ct_ftpost = rt_ftpost ).
        CONCATENATE 'Residual' ls_item-invoice_ref INTO lv_text SEPARATED BY space.
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-SGTXT' iv_fval = lv_text CHANGING ct_ftpost = rt_ftpost ).
      ENDIF.

      IF ls_item-disc_amt > 0.
        lv_hkont = is_header-disc_hkont.
        IF lv_hkont IS INITIAL.
          lv_hkont = mo_ledger->cash_discount_account( is_header-bukrs ).
        ENDIF.
        lv_count = lv_count + 1.
        CONCATENATE 'Cash discount' ls_item-invoice_ref INTO lv_text SEPARATED BY space.
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWBS' iv_fval = '40' CHANGING ct_ftpost = rt_ftpost ).
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWKO' iv_fval = lv_hkont CHANGING ct_ftpost = rt_ftpost ).
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-WRBTR' iv_fval = ls_item-disc_amt CHANGING ct_ftpost = rt_ftpost ).
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-ZUONR' iv_fval = ls_item-invoice_ref CHANGING ct_ftpost = rt_ftpost ).
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-SGTXT' iv_fval = lv_text CHANGING ct_ftpost = rt_ftpost ).
      ENDIF.
      IF ls_item-writeoff_amt > 0.
        lv_count = lv_count + 1.
        CONCATENATE 'Payment difference' ls_item-writeoff_rsn ls_item-invoice_ref INTO lv_text SEPARATED BY space.
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWBS' iv_fval = '40' CHANGING ct_ftpost = rt_ftpost ).
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'RF05A-NEWKO'
                    iv_fval = mo_ledger->writeoff_account( iv_bukrs = is_header-bukrs iv_reason = ls_item-writeoff_rsn ) CHANGING ct_ftpost = rt_ftpost ).
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-WRBTR' iv_fval = ls_item-writeoff_amt CHANGING ct_ftpost = rt_ftpost ).
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-ZUONR' iv_fval = ls_item-invoice_ref CHANGING ct_ftpost = rt_ftpost ).
        add_ftpost( EXPORTING iv_stype = 'P' iv_count = lv_count iv_fnam = 'BSEG-SGTXT' iv_fval = lv_text CHANGING ct_ftpost = rt_ftpost ).
      ENDIF.
    ENDLOOP.
  ENDMETHOD.

  METHOD add_ftpost.
    DATA: ls_ftpost TYPE ftpost,
          lv_type   TYPE c LENGTH 1.
    ls_ftpost-stype = iv_stype.
    ls_ftpost-count = iv_count.
    ls_ftpost-fnam  = iv_fnam.
    DESCRIBE FIELD iv_fval TYPE lv_type.
    CASE lv_type.
      WHEN 'D'.
        WRITE iv_fval TO ls_ftpost-fval.   " the RFC user's date format (SU01 defaults): what FB05's screen reads
      WHEN 'P'.
        WRITE iv_fval TO ls_ftpost-fval DECIMALS 2 NO-GROUPING.
        CONDENSE ls_ftpost-fval NO-GAPS.
      WHEN OTHERS.
        ls_ftpost-fval = iv_fval.
    ENDCASE.
    APPEND ls_ftpost TO ct_ftpost.
  ENDMETHOD.

  METHOD error.
    DATA: ls_message TYPE bapiret2,
          lv_text    TYPE string.
    ls_message-type = 'E'.
    ls_message-id = gc_msgid.
    ls_message-number = iv_number.
    ls_message-message_v1 = iv_v1.
    ls_message-message_v2 = iv_v2.
    ls_message-message_v3 = iv_v3.
    lv_text = iv_text.
    REPLACE '&1' IN lv_text WITH ls_message-message_v1.
    REPLACE '&2' IN lv_text WITH ls_message-message_v2.
    REPLACE '&3' IN lv_text WITH ls_message-message_v3.
    ls_message-message = lv_text.
    APPEND ls_message TO mt_messages.
  ENDMETHOD.

  METHOD reference_of.
    DATA ls_item TYPE ztieout_s_item.
    rv_reference = is_header-xblnr.
    IF rv_reference IS INITIAL.
      READ TABLE it_items INTO ls_item INDEX 1.
      rv_reference = ls_item-alloc_nmbr.  " referenceField = ALLOC_NMBR: the id is every line's ZUONR
    ENDIF.
  ENDMETHOD.

  METHOD obj_key_of.
    " OBJ_KEY as BAPI_ACC_DOCUMENT_POST returns it: BELNR(10) BUKRS(4) GJAHR(4).
    DATA lv_bukrs TYPE c LENGTH 4.
    lv_bukrs = is_header-bukrs.
    CONCATENATE is_doc-belnr lv_bukrs is_doc-gjahr INTO rv_key RESPECTING BLANKS.
  ENDMETHOD.
ENDCLASS.

*&---------------------------------------------------------------------*
*& Include LZTIEOUTP01: the real ledger (FI tables and the posting interface).
*&---------------------------------------------------------------------*
CLASS lcl_fi_ledger DEFINITION.
  PUBLIC SECTION.
    INTERFACES lif_ledger.
ENDCLASS.

CLASS lcl_fi_ledger IMPLEMENTATION.
  METHOD lif_ledger~posted_for_reference.
    IF iv_xblnr IS NOT INITIAL.
      SELECT belnr gjahr FROM bkpf UP TO 1 ROWS INTO CORRESPONDING FIELDS OF rs_doc
        WHERE bukrs = iv_bukrs AND blart = iv_blart AND xblnr = iv_xblnr
          AND bstat = space AND stblg = space.                          "#EC CI_NOFIRST
      ENDSELECT.
      RETURN.
    ENDIF.
    SELECT belnr gjahr FROM bsid UP TO 1 ROWS INTO CORRESPONDING FIELDS OF rs_doc
      WHERE bukrs = iv_bukrs AND kunnr = iv_kunnr AND zuonr = iv_zuonr AND blart = iv_blart.
    ENDSELECT.
    IF rs_doc IS INITIAL.
      SELECT belnr gjahr FROM bsad UP TO 1 ROWS INTO CORRESPONDING FIELDS OF rs_doc
        WHERE bukrs = iv_bukrs AND kunnr = iv_kunnr AND zuonr = iv_zuonr AND blart = iv_blart.
      ENDSELECT.
    ENDIF.
  ENDMETHOD.

  METHOD lif_ledger~open_items.
    CASE iv_selfd.
      WHEN 'XBLNR'.
        SELECT belnr gjahr buzei shkzg wrbtr waers zuonr xblnr sgtxt FROM bsid
          INTO CORRESPONDING FIELDS OF TABLE rt_items
          WHERE bukrs = iv_bukrs AND kunnr = iv_kunnr AND xblnr = iv_value.
      WHEN 'ZUONR'.
        SELECT belnr gjahr buzei shkzg wrbtr waers zuonr xblnr sgtxt FROM bsid
          INTO CORRESPONDING FIELDS OF TABLE rt_items
          WHERE bukrs = iv_bukrs AND kunnr = iv_kunnr AND zuonr = iv_value.
      WHEN 'BELNR'.
        SELECT belnr gjahr buzei shkzg wrbtr waers zuonr xblnr sgtxt FROM bsid
          INTO CORRESPONDING FIELDS OF TABLE rt_items
          WHERE bukrs = iv_bukrs AND kunnr = iv_kunnr AND belnr = iv_value(10).
      WHEN 'VBELN'.
        SELECT belnr gjahr buzei shkzg wrbtr waers zuonr xblnr sgtxt FROM bsid
          INTO CORRESPONDING FIELDS OF TABLE rt_items
          WHERE bukrs = iv_bukrs AND kunnr = iv_kunnr AND vbeln = iv_value(10).
    ENDCASE.
  ENDMETHOD.

  METHOD lif_ledger~cash_discount_account.
    DATA lv_ktopl TYPE ktopl.
    SELECT SINGLE ktopl FROM t001 INTO lv_ktopl WHERE bukrs = iv_bukrs.
    SELECT konts FROM t030 UP TO 1 ROWS INTO rv_hkont WHERE ktopl = lv_ktopl AND ktosl = 'SKT'.
    ENDSELECT.
  ENDMETHOD.

  METHOD lif_ledger~writeoff_account.
    SELECT SINGLE hkont FROM ztieout_wo INTO rv_hkont WHERE writeoff_rsn = iv_reason AND bukrs = iv_bukrs.
  ENDMETHOD.

  METHOD lif_ledger~post_and_clear.
    DATA: lt_ftpost  TYPE lif_ledger=>ty_ftpost,
          lt_ftclear TYPE lif_ledger=>ty_ftclear,
          lt_fttax   TYPE STANDARD TABLE OF fttax,
          lt_blntab  TYPE STANDARD TABLE OF blntab,
          ls_blntab  TYPE blntab,
          lv_subrc   TYPE sy-subrc.

    lt_ftpost  = it_ftpost.
    lt_ftclear = it_ftclear.
    CLEAR: es_doc, es_message.
    " Call transaction (C), no screens (N), synchronous update (S): FB05 commits before it returns.
    CALL FUNCTION 'POSTING_INTERFACE_START'
      EXPORTING
        i_function         = 'C'
        i_mode             = 'N'
        i_update           = 'S'
        i_user             = sy-uname
      EXCEPTIONS
        client_incorrect   = 1
        function_invalid   = 2
        group_name_missing = 3
        mode_invalid       = 4
        update_invalid     = 5
        OTHERS             = 6.
    IF sy-subrc <> 0.
      es_message-type = 'E'. es_message-id = sy-msgid. es_message-number = sy-msgno.
      MESSAGE ID sy-msgid TYPE 'E' NUMBER sy-msgno WITH sy-msgv1 sy-msgv2 sy-msgv3 sy-msgv4 INTO es_message-message.
      RETURN.
    ENDIF.

    CALL FUNCTION 'POSTING_INTERFACE_CLEARING'
      EXPORTING
        i_auglv                    = 'EINGZAHL'
        i_tcode                    = 'FB05'
        i_sgfunct                  = 'C'
      IMPORTING
        e_msgid                    = es_message-id
        e_msgno                    = es_message-number
        e_msgty                    = es_message-type
        e_msgv1                    = es_message-message_v1
        e_msgv2                    = es_message-message_v2
        e_msgv3                    = es_message-message_v3
        e_msgv4                    = es_message-message_v4
        e_subrc                    = lv_subrc
      TABLES
        t_blntab                   = lt_blntab
        t_ftclear                  = lt_ftclear
        t_ftpost                   = lt_ftpost
        t_fttax                    = lt_fttax
      EXCEPTIONS
        clearing_procedure_invalid = 1
        clearing_procedure_missing = 2
        table_t041a_empty          = 3
        transaction_code_invalid   = 4
        amount_format_error        = 5
        too_many_line_items        = 6
        company_code_invalid       = 7
        screen_not_found           = 8
        no_authorization           = 9
        OTHERS                     = 10.
    IF sy-subrc <> 0.
      es_message-type = 'E'. es_message-id = sy-msgid. es_message-number = sy-msgno.
      es_message-message_v1 = sy-msgv1. es_message-message_v2 = sy-msgv2.
      es_message-message_v3 = sy-msgv3. es_message-message_v4 = sy-msgv4.
    ELSE.
      READ TABLE lt_blntab INTO ls_blntab INDEX 1.
      IF sy-subrc = 0 AND lv_subrc = 0.
        es_doc-belnr = ls_blntab-belnr.
        es_doc-gjahr = ls_blntab-gjahr.
      ENDIF.
    ENDIF.
    IF es_message-id IS NOT INITIAL.
      MESSAGE ID es_message-id TYPE 'S' NUMBER es_message-number
        WITH es_message-message_v1 es_message-message_v2 es_message-message_v3 es_message-message_v4
        INTO es_message-message.
    ENDIF.

    CALL FUNCTION 'POSTING_INTERFACE_END'
      EXCEPTIONS
        session_not_processable = 1
        OTHERS                  = 2.
  ENDMETHOD.

  METHOD lif_ledger~cleared_by.
    SELECT belnr gjahr buzei shkzg wrbtr waers zuonr xblnr sgtxt FROM bsad
      INTO CORRESPONDING FIELDS OF TABLE rt_items
      WHERE bukrs = iv_bukrs AND kunnr = iv_kunnr AND augbl = is_doc-belnr AND auggj = is_doc-gjahr.
  ENDMETHOD.

  METHOD lif_ledger~lock_reference.
    DATA lv_varkey TYPE rstable-varkey.
    " A named lock only this wrapper takes: two calls for one reference never post side by side.
    CONCATENATE sy-mandt iv_bukrs iv_reference INTO lv_varkey RESPECTING BLANKS.
    CALL FUNCTION 'ENQUEUE_E_TABLE'
      EXPORTING
        tabname        = 'ZTIEOUT_REF'
        varkey         = lv_varkey
        _wait          = 'X'
      EXCEPTIONS
        foreign_lock   = 1
        system_failure = 2
        OTHERS         = 3.
    IF sy-subrc = 0.
      rv_locked = abap_true.
    ENDIF.
  ENDMETHOD.

  METHOD lif_ledger~unlock_reference.
    DATA lv_varkey TYPE rstable-varkey.
    CONCATENATE sy-mandt iv_bukrs iv_reference INTO lv_varkey RESPECTING BLANKS.
    CALL FUNCTION 'DEQUEUE_E_TABLE'
      EXPORTING
        tabname = 'ZTIEOUT_REF'
        varkey  = lv_varkey.
  ENDMETHOD.
ENDCLASS.
