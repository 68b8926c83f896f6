//! disp_serv
